export async function main(args: readonly string[]): Promise<number> {
  console.log(`certflow ${args.join(" ")}`);
  return 0;
}
