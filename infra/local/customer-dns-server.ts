import { once } from "node:events";
import { isIP, type Socket } from "node:net";
import type { Question, Resource } from "dns2";
import { Packet, TCPServer, UDPServer } from "dns2";
import type { CaaRecord } from "../../functions/domain/caa-policy.ts";

export type CustomerRecordType = "A" | "AAAA" | "TXT" | "CNAME" | "CAA" | "NS";

export interface CustomerDnsServerOptions {
  readonly host?: string;
  /** 0 (the default) picks a port free for both UDP and TCP. */
  readonly port?: number;
}

/** An authoritative DNS server playing the customer's zone, programmable at run time. */
export interface CustomerDnsServer {
  /** "127.0.0.1:PORT", the form CERTFLOW_DNS_RESOLVER takes. */
  readonly address: string;
  readonly port: number;
  setA(name: string, ip: string): void;
  setAaaa(name: string, ip: string): void;
  /** Each value is one TXT record; values over 255 bytes go out as several character-strings. */
  setTxt(name: string, values: readonly string[]): void;
  /** A CNAME stands alone at its name: setting it drops the name's other records and vice versa. */
  setCname(name: string, target: string): void;
  /** The name's CAA RRset (type 257, RFC 8659 wire format: flags, tag length, tag, value). */
  setCaa(name: string, records: readonly CaaRecord[]): void;
  /** The name's NS RRset: the zone's authoritative servers, by host name. */
  setNs(name: string, hosts: readonly string[]): void;
  remove(name: string, type?: CustomerRecordType): void;
  /** Every question about the name is answered SERVFAIL (a broken delegation, or DNSSEC). */
  setServfail(name: string): void;
  clear(): void;
  close(): Promise<void>;
}

interface NameRecords {
  a: string[];
  aaaa: string[];
  txt: string[][];
  cname: string | undefined;
  caa: CaaRecord[];
  ns: string[];
}

const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;
const MAX_CNAME_CHAIN = 8;
const MAX_CHARACTER_STRING_BYTES = 255;
const PORT_ATTEMPTS = 20;

const normalizeName = (name: string) => name.trim().toLowerCase().replace(/\.$/, "");

/** Splits a TXT value into character-strings of at most 255 bytes, never inside a character. */
export function txtCharacterStrings(value: string): string[] {
  const chunks: string[] = [];
  let current = "";
  let currentBytes = 0;
  for (const character of value) {
    const bytes = Buffer.byteLength(character);
    if (currentBytes + bytes > MAX_CHARACTER_STRING_BYTES) {
      chunks.push(current);
      current = "";
      currentBytes = 0;
    }
    current += character;
    currentBytes += bytes;
  }
  chunks.push(current);
  return chunks;
}

const isEmpty = (records: NameRecords) =>
  records.a.length === 0 &&
  records.aaaa.length === 0 &&
  records.txt.length === 0 &&
  records.caa.length === 0 &&
  records.ns.length === 0 &&
  records.cname === undefined;

class CustomerZone {
  readonly #names = new Map<string, NameRecords>();
  readonly #failing = new Set<string>();

  setServfail(name: string): void {
    this.#failing.add(normalizeName(name));
  }

  failing(name: string): boolean {
    return this.#failing.has(normalizeName(name));
  }

  #records(name: string): NameRecords {
    const key = normalizeName(name);
    let records = this.#names.get(key);
    if (records === undefined) {
      records = { a: [], aaaa: [], txt: [], cname: undefined, caa: [], ns: [] };
      this.#names.set(key, records);
    }
    return records;
  }

  set(name: string, type: CustomerRecordType, values: readonly string[]): void {
    const records = this.#records(name);
    if (type === "CNAME") {
      records.a = [];
      records.aaaa = [];
      records.txt = [];
      records.caa = [];
      records.ns = [];
      records.cname = values[0];
      return;
    }
    records.cname = undefined;
    if (type === "A") records.a = [...values];
    if (type === "AAAA") records.aaaa = [...values];
    if (type === "TXT") records.txt = values.map(txtCharacterStrings);
    if (type === "NS") records.ns = [...values];
  }

  setCaa(name: string, caa: readonly CaaRecord[]): void {
    const records = this.#records(name);
    records.cname = undefined;
    records.caa = caa.map((record) => ({ ...record }));
  }

  remove(name: string, type?: CustomerRecordType): void {
    const key = normalizeName(name);
    const records = this.#names.get(key);
    if (records === undefined) return;
    if (type === undefined) {
      this.#names.delete(key);
      return;
    }
    if (type === "A") records.a = [];
    if (type === "AAAA") records.aaaa = [];
    if (type === "TXT") records.txt = [];
    if (type === "CNAME") records.cname = undefined;
    if (type === "CAA") records.caa = [];
    if (type === "NS") records.ns = [];
    if (isEmpty(records)) this.#names.delete(key);
  }

  clear(): void {
    this.#names.clear();
    this.#failing.clear();
  }

  /** A name exists when it has records or a name below it does (an empty non-terminal). */
  exists(name: string): boolean {
    const key = normalizeName(name);
    if (this.#names.has(key)) return true;
    const suffix = `.${key}`;
    for (const known of this.#names.keys()) {
      if (known.endsWith(suffix)) return true;
    }
    return false;
  }

  lookup(name: string): NameRecords | undefined {
    return this.#names.get(normalizeName(name));
  }
}

function answer(zone: CustomerZone, question: Question, response: Packet): void {
  let name = question.name;
  for (let hop = 0; hop < MAX_CNAME_CHAIN; hop++) {
    const records = zone.lookup(name);
    if (records === undefined) {
      if (hop === 0 && !zone.exists(name)) response.header.rcode = RCODE_NXDOMAIN;
      return;
    }
    const resource = (record: Partial<Resource>) =>
      Packet.createResourceFromQuestion(
        { ...question, name },
        { ttl: 0, class: Packet.CLASS.IN, ...record },
      );
    if (records.cname !== undefined) {
      response.answers.push(resource({ type: Packet.TYPE.CNAME, domain: records.cname }));
      if (question.type === Packet.TYPE.CNAME) return;
      name = records.cname;
      continue;
    }
    if (question.type === Packet.TYPE.A) {
      for (const address of records.a)
        response.answers.push(resource({ type: Packet.TYPE.A, address }));
    } else if (question.type === Packet.TYPE.AAAA) {
      for (const address of records.aaaa) {
        response.answers.push(resource({ type: Packet.TYPE.AAAA, address }));
      }
    } else if (question.type === Packet.TYPE.TXT) {
      for (const data of records.txt)
        response.answers.push(resource({ type: Packet.TYPE.TXT, data }));
    } else if (question.type === Packet.TYPE.NS) {
      for (const ns of records.ns) response.answers.push(resource({ type: Packet.TYPE.NS, ns }));
    } else if (question.type === Packet.TYPE.CAA) {
      for (const { flags, tag, value } of records.caa) {
        response.answers.push(resource({ type: Packet.TYPE.CAA, flags, tag, value }));
      }
    }
    return;
  }
}

function respond(zone: CustomerZone, request: Packet): Packet {
  const response = Packet.createResponseFromRequest(request);
  response.header.aa = 1;
  try {
    if (request.questions.some((question) => zone.failing(question.name))) {
      throw new Error("SERVFAIL by design");
    }
    for (const question of request.questions) answer(zone, question, response);
  } catch {
    response.answers = [];
    response.header.rcode = RCODE_SERVFAIL;
  }
  return response;
}

async function bindBoth(host: string, port: number, zone: CustomerZone) {
  const handle = (request: Packet, send: (response: Packet) => Promise<Buffer>) => {
    send(respond(zone, request)).catch(() => {
      // The asker went away; nothing to tell it.
    });
  };
  const udp = new UDPServer({ type: isIP(host) === 6 ? "udp6" : "udp4" });
  udp.on("request", handle);
  await new Promise<void>((resolve, reject) => {
    udp.once("error", reject);
    udp.bind(port, host, () => {
      udp.off("error", reject);
      resolve();
    });
  });
  udp.on("error", () => {
    // A failed send to one asker must not stop the server.
  });
  const boundPort = udp.address().port;
  const tcp = new TCPServer(handle);
  try {
    tcp.listen(boundPort, host);
    await once(tcp, "listening");
  } catch (error) {
    udp.close();
    throw error;
  }
  return { udp, tcp, port: boundPort };
}

/** Starts the server on UDP and TCP, same port. Unknown names answer NXDOMAIN. */
export async function startCustomerDnsServer(
  options: CustomerDnsServerOptions = {},
): Promise<CustomerDnsServer> {
  const host = options.host ?? "127.0.0.1";
  const requestedPort = options.port ?? 0;
  const zone = new CustomerZone();

  let bound: Awaited<ReturnType<typeof bindBoth>> | undefined;
  for (let attempt = 1; bound === undefined; attempt++) {
    try {
      bound = await bindBoth(host, requestedPort, zone);
    } catch (error) {
      const portTaken = error instanceof Error && "code" in error && error.code === "EADDRINUSE";
      // With port 0 the UDP port may be taken for TCP: pick another pair.
      if (requestedPort !== 0 || !portTaken || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
  const { udp, tcp, port } = bound;
  const connections = new Set<Socket>();
  let closing: Promise<void> | undefined;
  tcp.on("connection", (socket: Socket) => {
    connections.add(socket);
    socket.on("close", () => connections.delete(socket));
  });

  return {
    address: isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`,
    port,
    setA: (name, ip) => zone.set(name, "A", [ip]),
    setAaaa: (name, ip) => zone.set(name, "AAAA", [ip]),
    setTxt: (name, values) => zone.set(name, "TXT", values),
    setCname: (name, target) => zone.set(name, "CNAME", [target]),
    setCaa: (name, records) => zone.setCaa(name, records),
    setNs: (name, hosts) => zone.set(name, "NS", hosts),
    remove: (name, type) => zone.remove(name, type),
    setServfail: (name) => zone.setServfail(name),
    clear: () => zone.clear(),
    close() {
      closing ??= Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]).then(() => undefined);
      for (const socket of connections) socket.destroy();
      return closing;
    },
  };
}
