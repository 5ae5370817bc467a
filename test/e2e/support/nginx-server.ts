import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { freeLoopbackPort, startOnFreePorts } from "../../support/loopback-port.ts";

interface NginxInput {
  directory: string;
  serverName: string;
  certificateFile: string;
  keyFile: string;
  /** The port to listen on (a service was told it beforehand); a free one when left out. */
  port?: number;
}

/** Runs Debian's nginx in the foreground on 127.0.0.1 with the given certificate files. */
export function startNginx(
  input: NginxInput,
): Promise<{ port: number; stop(): Promise<void>; errorLog: string }> {
  return startOnFreePorts(() => startNginxOnce(input));
}

async function startNginxOnce(input: NginxInput) {
  const port = input.port ?? (await freeLoopbackPort());
  const prefix = join(input.directory, "nginx");
  mkdirSync(join(prefix, "logs"), { recursive: true });
  const config = join(prefix, "nginx.conf");
  writeFileSync(
    config,
    `daemon off;
master_process off;
pid ${join(prefix, "nginx.pid")};
error_log ${join(prefix, "logs", "error.log")} info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port} ssl;
    server_name ${input.serverName};
    ssl_certificate ${input.certificateFile};
    ssl_certificate_key ${input.keyFile};
    location / { return 200 "hello from ${input.serverName}\\n"; }
  }
}
`,
  );
  const child: ChildProcess = spawn("/usr/sbin/nginx", ["-p", prefix, "-c", config], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  // nginx prints nothing when it starts well: wait until the port answers.
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx refused the bundle:\n${output}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) break;
    if (Date.now() - started > 10_000) throw new Error(`nginx did not listen:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    port,
    errorLog: join(prefix, "logs", "error.log"),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
