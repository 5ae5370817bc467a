// The stylesheet main.tsx imports: esbuild bundles it into console.css.
declare module "*.css";
