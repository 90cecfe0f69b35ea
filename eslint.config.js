// Lint: typescript-eslint's recommended rules plus the import direction of DESIGN.md's layout:
// transports → core → query/db/ports → lib. core never imports rest/, graphql/ or realtime/;
// query never imports core; no transport imports another; lib imports nothing from src/.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** `no-restricted-imports` patterns refusing imports of the given top-level folders of src/. */
const forbid = (...folders) => ({
  "no-restricted-imports": [
    "error",
    {
      patterns: folders.map((f) => ({
        regex: `^(\\.\\.?/)+(\\.\\./)*${f}/`,
        message: `Import direction (DESIGN.md "Target layout"): this folder must not import src/${f}/.`,
      })),
    },
  ],
});

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "src/generated/**", "data/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        Buffer: "readonly",
        console: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        URL: "readonly",
        fetch: "readonly",
        AbortController: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
        performance: "readonly",
        structuredClone: "readonly",
        queueMicrotask: "readonly",
      },
    },
    rules: {
      // Dynamic collection records and SQL builders are typed `any` on purpose at a few seams.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  { files: ["src/core/**/*.ts"], rules: forbid("rest", "graphql", "realtime", "admin") },
  { files: ["src/query/**/*.ts"], rules: forbid("core", "rest", "graphql", "realtime") },
  { files: ["src/rest/**/*.ts"], rules: forbid("graphql", "realtime") },
  { files: ["src/graphql/**/*.ts"], rules: forbid("rest") },
  { files: ["src/realtime/**/*.ts"], rules: forbid("rest", "graphql") },
  { files: ["src/db/**/*.ts", "src/storage/**/*.ts"], rules: forbid("core", "rest", "graphql", "realtime") },
  // The admin UI is browser code: it reaches the server only through the public APIs.
  { files: ["src/admin/**/*.{ts,tsx}"], rules: forbid("core", "query", "db", "rest", "graphql", "realtime", "storage", "generated") },
  { files: ["src/lib/**/*.ts"], rules: forbid("core", "query", "db", "rest", "graphql", "realtime") },
);
