// ESLint flat config for the browser JavaScript in static/js (run by scripts/lint-js).
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["static/vendor/**", "node_modules/**"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      // Globals of classic scripts (socket.io's `io`) are read as `window.io`.
      globals: { ...globals.browser },
    },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      "prefer-const": "error",
      "no-var": "error",
      eqeqeq: ["error", "always", { null: "ignore" }],
      // Templates go through dom.js's `html` tag, which never hands lit-html an object to print.
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/vendor/lit-html/**"], message: "Import html, fill, node and markup from dom.js." }] }],
      // The hand-written `h(tag, props, ...kids)` builder printed "[object …]" for nested nodes
      // (issue 11): it is gone, and neither it nor raw HTML assignment may come back.
      "no-restricted-syntax": ["error",
        { selector: "ImportSpecifier[imported.name='h']", message: "h() is gone: render with the html tag from dom.js." },
        { selector: "FunctionDeclaration[id.name='h'], VariableDeclarator[id.name='h'][init.type=/Function/]", message: "No DOM builder named h(): render with the html tag from dom.js." },
        { selector: "CallExpression[callee.name='h']", message: "h() is gone: render with the html tag from dom.js." },
      ],
    },
  },
  { files: ["static/js/dom.js"], rules: { "no-restricted-imports": "off" } },
  {
    // The service worker: a classic script in the worker's scope (self, caches, clients).
    files: ["static/js/sw.js"],
    languageOptions: { sourceType: "script", globals: { ...globals.serviceworker } },
  },
  {
    // Pages that still load these as classic scripts (<script defer>), not modules.
    files: ["static/js/dashboard.js", "static/js/diagnostic.js", "static/js/recaps.js"],
    languageOptions: { sourceType: "script" },
  },
];
