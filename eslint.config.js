// Lint: typescript-eslint's type-checked rules everywhere, and the architecture's boundaries
// held by rules rather than memory (STYLE.md, habit 1): core knows no host and no Node.
import { builtinModules } from "node:module";
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
const hostPackages = ["webextension-polyfill", "office-addin-*", "@microsoft/*", "@types/office-js", "@types/thunderbird-webext-browser"];
const hostGlobals = [
  "Office",
  "OfficeRuntime",
  "browser",
  "messenger",
  "chrome",
  "window",
  "document",
  "navigator",
  "localStorage",
  "process",
  "Buffer",
  "require",
];

export default tseslint.config(
  { ignores: ["**/node_modules/", "**/dist/", "schema/", "bench/results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["*.js", "*.mjs", "scripts/*.mjs", "packages/cli/bin/*.mjs"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { ...globals.node } },
  },
  {
    // Experiment implementations run in Thunderbird's privileged parent process, as scripts.
    files: ["packages/thunderbird/api/**/*.js", "test/thunderbird/driver/**/*.js", "test/thunderbird/fixtures/**/*.js"],
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: "script",
      globals: {
        ...globals.browser,
        ChromeUtils: "readonly",
        Ci: "readonly",
        Cc: "readonly",
        Cu: "readonly",
        Services: "readonly",
        Cr: "readonly",
        Components: "readonly",
        IOUtils: "readonly",
        WebExtensionPolicy: "readonly",
        ExtensionCommon: "readonly",
        ExtensionAPI: "readonly",
        messenger: "readonly",
        browser: "readonly",
      },
    },
    rules: {
      // The Experiment's class is found by Thunderbird through the global it assigns.
      "@typescript-eslint/no-unused-vars": ["error", { varsIgnorePattern: "^(sealpost|driver|ExtensionCommon|ExtensionUtils)$" }],
    },
  },
  {
    // node:test's describe and it return promises that the runner itself awaits.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-floating-promises": "off" },
  },
  {
    files: ["packages/core/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "no-restricted-globals": [
        "error",
        ...hostGlobals.map((name) => ({
          name,
          message: "core runs in every host: take what you need through an interface from the adapter",
        })),
      ],
      "no-restricted-imports": [
        "error",
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: "core must not use Node built-ins: it also runs in browsers, Thunderbird and Outlook",
          })),
          patterns: [
            { group: hostPackages, message: "core must not import a host package" },
            { group: ["**/packages/*", "@sealpost/*"], message: "core depends on no other Sealpost package" },
          ],
        },
      ],
    },
  },
);
