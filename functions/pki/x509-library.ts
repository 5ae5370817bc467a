import type * as X509 from "@peculiar/x509";

export type X509Library = typeof X509;

/**
 * @peculiar/x509, with the DI container it sets up (tsyringe, reflect-metadata), takes tens of
 * milliseconds to load: it is loaded when something first builds or signs a CSR or a
 * certificate, or checks a CSR, never while a function starts. Reading a certificate does not
 * need it (certificate-fields.ts).
 */
let library: Promise<X509Library> | undefined;

export function x509Library(): Promise<X509Library> {
  library ??= import("reflect-metadata").then(() => import("@peculiar/x509"));
  return library;
}
