import { describe, expect, it } from "vitest";
import { GraphMailboxSlots } from "./graph-slots";

describe("GraphMailboxSlots", () => {
  it("lets 4 calls per profile and mailbox in flight; the fifth waits for a release, other mailboxes don't", async () => {
    const slots = new GraphMailboxSlots();
    const releases = await Promise.all([1, 2, 3, 4].map(() => slots.acquire("p", "Jane@contoso.com", 1)));
    expect(slots.inFlight("p", "jane@contoso.com")).toBe(4);
    let fifth = false;
    const waiting = slots.acquire("p", "jane@contoso.com", 1).then((release) => {
      fifth = true;
      return release;
    });
    const other = await slots.acquire("p", "adele@contoso.com", 1);
    const otherProfile = await slots.acquire("q", "jane@contoso.com", 1);
    await Promise.resolve();
    expect(fifth).toBe(false);
    releases[0]();
    releases[0](); // a second release gives nothing back twice
    (await waiting)();
    expect(fifth).toBe(true);
    expect(slots.inFlight("p", "jane@contoso.com")).toBe(3);
    for (const r of [...releases.slice(1), other, otherProfile]) r();
    expect(slots.inFlight("p", "jane@contoso.com")).toBe(0);
  });

  it("counts a batch as min(n, 4) and keeps order: a batch waiting for room is not overtaken", async () => {
    const slots = new GraphMailboxSlots();
    const one = await slots.acquire("p", "jane@contoso.com", 1);
    const order: string[] = [];
    const batch = slots.acquire("p", "jane@contoso.com", 20).then((r) => (order.push("batch"), r));
    const single = slots.acquire("p", "jane@contoso.com", 1).then((r) => (order.push("single"), r));
    await Promise.resolve();
    expect(order).toEqual([]);
    one();
    const releaseBatch = await batch;
    expect(slots.inFlight("p", "jane@contoso.com")).toBe(4);
    releaseBatch();
    (await single)();
    expect(order).toEqual(["batch", "single"]);
  });

  it("gives up waiting when the call is cancelled", async () => {
    const slots = new GraphMailboxSlots(1);
    const held = await slots.acquire("p", "jane@contoso.com", 1);
    const controller = new AbortController();
    const waiting = slots.acquire("p", "jane@contoso.com", 1, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow(/cancelled/);
    held();
    expect(slots.inFlight("p", "jane@contoso.com")).toBe(0);
  });
});
