/** One part of `npm run bench`: prints its own figures. */
export interface BenchSection {
  /** Short, unique, used with --only. */
  readonly name: string;
  /** One line saying what is measured. */
  readonly description: string;
  run(): Promise<void>;
}
