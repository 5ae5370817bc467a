// Fails fast with a clear message when the project is run on a Node older than 24.
const [major] = process.versions.node.split(".").map(Number);
if (major < 24) {
  console.error(
    `certflow needs Node.js 24 or newer, but this is Node.js ${process.versions.node}.\n` +
      "Run it through npm (npm start, npm test, npx certflow), which uses the Node 24 installed in node_modules/.bin by `npm install`.",
  );
  process.exit(1);
}
