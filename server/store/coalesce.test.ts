import { describe, expect, it } from "vitest";
import { Coalescer } from "./coalesce";

/** A load whose calls are recorded and answered by hand. */
function manualLoad() {
  const calls: { keys: string[]; answer(found: Record<string, number>): void; fail(error: Error): void }[] =
    [];
  const load = (keys: string[]) =>
    new Promise<Map<string, number>>((resolve, reject) => {
      calls.push({ keys, answer: (found) => resolve(new Map(Object.entries(found))), fail: reject });
    });
  return { calls, load };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("Coalescer", () => {
  it("starts a lookup's own load at once while fewer than maxInFlight run", async () => {
    const { calls, load } = manualLoad();
    const byKey = new Coalescer(load, { maxInFlight: 2, maxBatch: 10 });
    const a = byKey.get("a");
    const b = byKey.get("b");
    expect(calls.map((c) => c.keys)).toEqual([["a"], ["b"]]);
    calls[0].answer({ a: 1 });
    calls[1].answer({});
    expect(await a).toBe(1);
    expect(await b).toBeUndefined();
  });

  it("sends the keys asked while every load runs together in the next load, each key once", async () => {
    const { calls, load } = manualLoad();
    const byKey = new Coalescer(load, { maxInFlight: 1, maxBatch: 10 });
    const first = byKey.get("a");
    const waiting = [byKey.get("b"), byKey.get("c"), byKey.get("b")];
    expect(calls).toHaveLength(1);
    calls[0].answer({ a: 1 });
    expect(await first).toBe(1);
    expect(calls.map((c) => c.keys)).toEqual([["a"], ["b", "c"]]);
    calls[1].answer({ b: 2, c: 3 });
    expect(await Promise.all(waiting)).toEqual([2, 3, 2]);
  });

  it("asks again for a key whose load began before the caller asked (no answer from an earlier read)", async () => {
    const { calls, load } = manualLoad();
    const byKey = new Coalescer(load, { maxInFlight: 1, maxBatch: 10 });
    const early = byKey.get("a");
    const late = byKey.get("a");
    calls[0].answer({ a: 1 });
    expect(await early).toBe(1);
    expect(calls).toHaveLength(2);
    calls[1].answer({ a: 2 });
    expect(await late).toBe(2);
  });

  it("splits the waiting keys into loads of at most maxBatch", async () => {
    const { calls, load } = manualLoad();
    const byKey = new Coalescer(load, { maxInFlight: 1, maxBatch: 2 });
    const all = ["a", "b", "c", "d", "e"].map((k) => byKey.get(k));
    for (let i = 0; i < 3; i++) {
      calls[i].answer(Object.fromEntries(calls[i].keys.map((k) => [k, k.charCodeAt(0)])));
      await turn();
    }
    expect(calls.map((c) => c.keys)).toEqual([["a"], ["b", "c"], ["d", "e"]]);
    expect(await Promise.all(all)).toEqual([97, 98, 99, 100, 101]);
  });

  it("fails every caller of a failed load, and the next lookups still load", async () => {
    const { calls, load } = manualLoad();
    const byKey = new Coalescer(load, { maxInFlight: 1, maxBatch: 10 });
    const first = byKey.get("a");
    const second = byKey.get("b");
    calls[0].fail(new Error("connection lost"));
    await expect(first).rejects.toThrow("connection lost");
    calls[1].fail(new Error("still down"));
    await expect(second).rejects.toThrow("still down");
    const third = byKey.get("c");
    calls[2].answer({ c: 3 });
    expect(await third).toBe(3);
  });

  it("turns a load that throws at once into a failed lookup", async () => {
    const byKey = new Coalescer<string, number>(
      () => {
        throw new Error("bad query");
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    await expect(byKey.get("a")).rejects.toThrow("bad query");
  });

  it("with gatherTurn, the lookups of one event-loop turn share one load", async () => {
    const { calls, load } = manualLoad();
    const byKey = new Coalescer(load, { maxInFlight: 1, maxBatch: 10, gatherTurn: true });
    const asked = [byKey.get("a"), byKey.get("b"), byKey.get("c")];
    expect(calls).toHaveLength(0);
    await turn();
    expect(calls.map((c) => c.keys)).toEqual([["a", "b", "c"]]);
    calls[0].answer({ a: 1, c: 3 });
    expect(await Promise.all(asked)).toEqual([1, undefined, 3]);
    const later = byKey.get("d");
    await turn();
    calls[1].answer({ d: 4 });
    expect(await later).toBe(4);
  });
});
