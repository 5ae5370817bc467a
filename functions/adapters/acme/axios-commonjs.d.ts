// The CommonJS build of axios (what acme-client `require`s) has the package's types.
declare module "axios/dist/node/axios.cjs" {
  import type { AxiosStatic } from "axios";

  const axios: AxiosStatic;
  export default axios;
}
