import { describe, expect, it } from "vitest";
import { readServerSentEvents, SseParser } from "./sse";

describe("SseParser", () => {
  it("parses named events with multi-line data and ignores comments", () => {
    const parser = new SseParser();
    const events = parser.push(
      ': heartbeat\n\nevent: progress\ndata: {"a":1}\ndata: {"b":2}\nid: 7\n\nevent: done\ndata: x\n\n',
    );
    expect(events).toEqual([
      { event: "progress", data: '{"a":1}\n{"b":2}', id: "7" },
      { event: "done", data: "x", id: "7" },
    ]);
  });

  it("joins chunks split anywhere, including inside a CRLF", () => {
    const text = 'event: progress\r\ndata: {"done":3}\r\n\r\nevent: done\r\ndata: {}\r\n\r\n';
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
      expect(events.map((e) => e.event)).toEqual(["progress", "done"]);
      expect(events[0].data).toBe('{"done":3}');
    }
  });

  it("defaults the event name to message and keeps an event without a trailing blank line pending", () => {
    const parser = new SseParser();
    expect(parser.push("data: hello\n\ndata: pending\n")).toEqual([
      { event: "message", data: "hello", id: undefined },
    ]);
    expect(parser.push("\n")).toEqual([{ event: "message", data: "pending", id: undefined }]);
  });
});

describe("readServerSentEvents", () => {
  it("reads a streamed Response body", async () => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode("event: progress\nda"));
        controller.enqueue(encoder.encode("ta: 1\n\nevent: done\ndata: 2\n\n"));
        controller.close();
      },
    });
    const seen: string[] = [];
    for await (const e of readServerSentEvents(new Response(body))) seen.push(`${e.event}:${e.data}`);
    expect(seen).toEqual(["progress:1", "done:2"]);
  });
});
