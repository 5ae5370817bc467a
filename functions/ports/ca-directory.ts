/**
 * What a CA publishes about itself beyond issuing: the profiles it offers and its renewal
 * windows (ACME `meta.profiles`, RFC 9773 `renewalInfo`). Unauthenticated reads: no account,
 * no key. A CA without them (the embedded CA) answers no profiles and no windows.
 */
export interface CaDirectory {
  /** Profile name → description; empty when the CA names none. */
  profiles(): Promise<Readonly<Record<string, string>>>;
  /** The CA's suggested renewal window for a certificate, or undefined when it offers no ARI. */
  renewalWindow(certId: string): Promise<RenewalWindow | undefined>;
}

export interface RenewalWindow {
  readonly start: Date;
  readonly end: Date;
  readonly explanationUrl?: string;
  /** The CA's Retry-After: when to ask again at the earliest. */
  readonly retryAfterSeconds?: number;
}
