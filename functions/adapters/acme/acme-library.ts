import type * as AcmeClient from "acme-client";
import type { AxiosStatic } from "axios";

export type AcmeLibrary = typeof AcmeClient;

/**
 * acme-client, with the axios it sends its requests through and its own copy of
 * @peculiar/x509, is by far the largest part of a function that talks to an ACME CA (about
 * half a megabyte, over 100 ms to load). It is loaded when the adapter first talks to the CA,
 * not while the function starts: a function whose invocation never reaches the CA (an order in
 * the wrong state, a cancelled order, PrepareCa) never loads it.
 */
let library: Promise<AcmeLibrary> | undefined;

export function acmeLibrary(): Promise<AcmeLibrary> {
  library ??= import("acme-client");
  return library;
}

/**
 * The axios acme-client sends through: its CommonJS build, which acme-client `require`s.
 * Importing "axios" from ESM would load the package's ESM build beside it, a second copy.
 */
let http: Promise<AxiosStatic> | undefined;

export function acmeAxios(): Promise<AxiosStatic> {
  http ??= import("axios/dist/node/axios.cjs").then((module) => module.default);
  return http;
}
