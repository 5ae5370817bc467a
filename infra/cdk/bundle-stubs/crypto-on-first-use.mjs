// node:crypto, loaded on the first call rather than as the function starts (about 7 ms of a cold
// start). For functions that need it only while serving a request: Powertools' logger draws its
// log-sampling number with randomInt, and new order ids come from randomBytes. Only these names
// are provided, so a bundle importing any other from node:crypto fails to build.
const crypto = () => process.getBuiltinModule("node:crypto");

export const randomInt = (...args) => crypto().randomInt(...args);
export const randomBytes = (...args) => crypto().randomBytes(...args);
