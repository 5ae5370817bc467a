export interface NginxFiles {
  readonly fullchain: string;
  readonly key: string;
  readonly keyHeld: boolean;
}

export interface ApacheFiles {
  readonly certificate: string;
  readonly chain: string | undefined;
  readonly key: string;
  readonly keyHeld: boolean;
}

const OWN_KEY_NOTE = [
  "",
  "This order was placed with your own CSR, so the private key is not held by the service and",
  "is not in this bundle: point the key directive at the key you generated with that CSR.",
];

const lines = (...content: string[]) => `${content.join("\n")}\n`;

export function nginxInstructions(files: NginxFiles): string {
  return lines(
    "nginx: copy the files to /etc/nginx/ssl/ and put these lines in the server block",
    "(listen 443 ssl;):",
    "",
    `    ssl_certificate     /etc/nginx/ssl/${files.fullchain};`,
    `    ssl_certificate_key /etc/nginx/ssl/${files.key};`,
    "",
    `${files.fullchain} holds the certificate followed by the intermediate certificates.`,
    ...(files.keyHeld
      ? [`${files.key} is the unencrypted private key: keep it readable by root only (chmod 600).`]
      : OWN_KEY_NOTE),
  );
}

export function apacheInstructions(files: ApacheFiles): string {
  return lines(
    "Apache httpd (mod_ssl): copy the files and put these lines in the <VirtualHost *:443>:",
    "",
    "    SSLEngine on",
    `    SSLCertificateFile      /etc/ssl/certs/${files.certificate}`,
    ...(files.chain === undefined
      ? []
      : [`    SSLCertificateChainFile /etc/ssl/certs/${files.chain}`]),
    `    SSLCertificateKeyFile   /etc/ssl/private/${files.key}`,
    "",
    ...(files.chain === undefined
      ? []
      : [
          "Apache 2.4.8 and later also accept the intermediates appended to SSLCertificateFile",
          `(cat ${files.certificate} ${files.chain}) instead of SSLCertificateChainFile.`,
        ]),
    ...(files.keyHeld
      ? [`${files.key} is the unencrypted private key: keep it readable by root only (chmod 600).`]
      : OWN_KEY_NOTE),
  );
}

export function iisInstructions(fileName: string): string {
  return lines(
    `IIS: import ${fileName} with IIS Manager (Server Certificates > Import) or with PowerShell:`,
    "",
    `    Import-PfxCertificate -FilePath ${fileName} -CertStoreLocation Cert:\\LocalMachine\\My -Password (Read-Host -AsSecureString)`,
    "",
    "then bind it to the site's https binding. The file is encrypted with AES-256 (PBES2), which",
    "Windows Server 2019 / Windows 10 1709 and later import.",
  );
}

export function tomcatInstructions(fileName: string, alias: string): string {
  return lines(
    `Tomcat: copy ${fileName} to conf/ and configure the connector in server.xml:`,
    "",
    '    <Connector port="8443" protocol="org.apache.coyote.http11.Http11NioProtocol" SSLEnabled="true">',
    "      <SSLHostConfig>",
    `        <Certificate certificateKeystoreFile="conf/${fileName}"`,
    '                     certificateKeystoreType="PKCS12"',
    `                     certificateKeyAlias="${alias}"`,
    '                     certificateKeystorePassword="the password you chose for the download"/>',
    "      </SSLHostConfig>",
    "    </Connector>",
    "",
    `The keystore is PKCS12 (not JKS); its one key entry is named "${alias}" and carries the chain.`,
  );
}
