type Entry = { payload: Record<string, unknown>; expiresAt?: number };
/** Every model's entries: all models of one provider share it, so a grant and its tokens go together. */
export type AdapterStore = Map<string, Map<string, Entry>>;

/**
 * oidc-provider's storage (Session, Grant, AccessToken, Client, ...) in memory, one store per provider.
 * @example const store: AdapterStore = new Map(); new Provider(issuer, { adapter: (model) => new MemoryAdapter(model, store) });
 */
export class MemoryAdapter {
  private readonly entries: Map<string, Entry>;

  constructor(
    readonly model: string,
    private readonly store: AdapterStore,
  ) {
    let entries = store.get(model);
    if (!entries) {
      entries = new Map();
      store.set(model, entries);
    }
    this.entries = entries;
  }

  upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
    this.entries.set(id, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
    return Promise.resolve();
  }

  find(id: string): Promise<Record<string, unknown> | undefined> {
    const entry = this.entries.get(id);
    if (entry?.expiresAt !== undefined && entry.expiresAt < Date.now()) {
      this.entries.delete(id);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(entry?.payload);
  }

  async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
    for (const [id, entry] of this.entries) if (entry.payload.uid === uid) return this.find(id);
    return undefined;
  }

  async findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined> {
    for (const [id, entry] of this.entries) if (entry.payload.userCode === userCode) return this.find(id);
    return undefined;
  }

  consume(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    return Promise.resolve();
  }

  destroy(id: string): Promise<void> {
    this.entries.delete(id);
    return Promise.resolve();
  }

  revokeByGrantId(grantId: string): Promise<void> {
    revokeGrant(this.store, grantId);
    return Promise.resolve();
  }
}

/** Deletes a grant and every token issued under it, in every model. */
export function revokeGrant(store: AdapterStore, grantId: string): void {
  for (const [model, entries] of store) {
    for (const [id, entry] of entries) {
      if (entry.payload.grantId === grantId || (model === "Grant" && id === grantId)) entries.delete(id);
    }
  }
}
