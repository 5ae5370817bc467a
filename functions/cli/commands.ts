import type { CliIo } from "./cli-io.ts";

export interface CliCommand {
  /** The full text `certflow <command> --help` prints. */
  readonly help: string;
  /** Runs with the arguments after the command name; returns the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

export interface CommandEntry {
  /** One line for the command list. */
  readonly summary: string;
  /** The command's code, loaded when it runs: the tool loads only the command it runs. */
  load(): Promise<CliCommand>;
}

/** The subcommands of `certflow`, by name. Add a command by adding an entry. */
export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  order: {
    summary: "order a certificate, show what to publish, and with --wait follow it to issued",
    load: async () => (await import("./order-command.ts")).orderCommand,
  },
  status: {
    summary: "show an order: status, what to publish, last check, certificate",
    load: async () => (await import("./status-command.ts")).statusCommand,
  },
  list: {
    summary: "list your orders (by status or name)",
    load: async () => (await import("./list-command.ts")).listCommand,
  },
  check: {
    summary: "verify now: check what was published for an order",
    load: async () => (await import("./check-command.ts")).checkCommand,
  },
  download: {
    summary: "download an issued certificate for nginx, apache, iis, tomcat or as pem",
    load: async () => (await import("./download-command.ts")).downloadCommand,
  },
  renew: {
    summary: "renew an order now; --due: run the renewal run (operator)",
    load: async () => (await import("./renew-command.ts")).renewCommand,
  },
  csr: {
    summary: "create a private key and a CSR for your domain names",
    load: async () => (await import("./csr-command.ts")).csrCommand,
  },
  inspect: {
    summary: "show what a CSR or certificate holds, and check a CSR against your names",
    load: async () => (await import("./inspect-command.ts")).inspectCommand,
  },
  login: {
    summary: "sign in to a deployment (Cognito user name and password); its commands then use it",
    load: async () => (await import("./login-command.ts")).loginCommand,
  },
  logout: {
    summary: "forget the sign-in kept for a deployment",
    load: async () => (await import("./logout-command.ts")).logoutCommand,
  },
  executions: {
    summary: "show the state history of an order's execution (operator)",
    load: async () => (await import("./executions-command.ts")).executionsCommand,
  },
};
