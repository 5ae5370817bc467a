// Stands in for node-forge in Lambda bundles. acme-client loads it only for its legacy
// `acme.forge` helpers, which certflow never calls (it uses `acme.crypto`); the real package
// would add ~290 kB to every function that talks to the CA.
const leftOut = () => {
  throw new Error("node-forge is left out of certflow's Lambda bundles; use acme-client's crypto.");
};
module.exports = { pki: { rsa: { generateKeyPair: leftOut } }, pem: { decode: leftOut } };
