// addons-linter ships no type declarations; this covers the programmatic API the tests use.
declare module "addons-linter" {
  interface LinterMessage {
    code: string;
    message: string;
    file?: string;
  }
  interface LinterResult {
    errors: LinterMessage[];
    warnings: LinterMessage[];
    notices: LinterMessage[];
  }
  export function createInstance(options: { config: Record<string, unknown>; runAsBinary: boolean }): { run(): Promise<LinterResult> };
}
