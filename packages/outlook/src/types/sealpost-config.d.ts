// The build's settings for the add-in, defined by esbuild at bundle time (scripts/build-outlook.mjs).

declare const __SEALPOST_CONFIG__: {
  /** Where the add-in is served, ending in "/": the policy is fetched from `${baseUrl}policy.json`. */
  readonly baseUrl: string;
  /** A policy built into the bundle, as JSON text; null to fetch it from `baseUrl`. */
  readonly builtInPolicy: string | null;
};
