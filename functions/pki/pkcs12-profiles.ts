// What callers check before a .pfx is built, apart from the builder (pkcs12.ts), which loads
// pkijs: a function that only lists the profiles or checks a password does not load it.

/**
 * modern: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) with an HMAC-SHA256 MAC, for Windows Server
 * 2019 and later, openssl 1.1.1+, Java 8u301+. legacy: pbeWithSHAAnd3-KeyTripleDES-CBC with a
 * SHA-1 MAC, for Windows Server 2016 and older, which cannot import AES-encrypted files.
 */
export const PKCS12_PROFILES = ["modern", "legacy"] as const;
export type Pkcs12Profile = (typeof PKCS12_PROFILES)[number];

const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 128;

export interface PfxPasswordProblem {
  readonly code: "PASSWORD_INVALID";
  readonly message: string;
}

/**
 * The password rules for .pfx/.p12 files: IIS and openssl take any password, but Java keytool
 * (Tomcat) refuses non-ASCII ones, and HTTP header transport drops leading and trailing spaces.
 */
export function checkPfxPassword(password: string): PfxPasswordProblem | undefined {
  const problem = (message: string): PfxPasswordProblem => ({ code: "PASSWORD_INVALID", message });
  if (password.length < MIN_PASSWORD_LENGTH) {
    return problem(`The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return problem(`The password may have at most ${MAX_PASSWORD_LENGTH} characters.`);
  }
  if (!/^[\x20-\x7e]+$/.test(password)) {
    return problem(
      "The password may only contain printable ASCII characters (Java keytool refuses others).",
    );
  }
  if (password.trim() !== password) {
    return problem("The password must not begin or end with a space.");
  }
  return undefined;
}
