// Prepended verbatim to launchevent.js (esbuild `banner`), ahead of the bundle, for classic
// Outlook before build 2403, whose JavaScript-only runtime offers ECMAScript 2016 only. Plain
// ES5, run as a script (so `this` is the global object):
// - esbuild's helpers capture Object.getOwnPropertyDescriptors (ES2017) as the bundle starts,
//   to lower object spread to ES2016, before any module of the bundle could add it;
// - `globalThis` (ES2020) is how runtime-shims.ts reaches the global object; a module cannot
//   find it otherwise without eval.
(function (root) {
  if (root !== undefined && root !== null && typeof root.globalThis === "undefined") {
    Object.defineProperty(root, "globalThis", { configurable: true, writable: true, value: root });
  }
  if (typeof Object.getOwnPropertyDescriptors === "function") return;
  Object.defineProperty(Object, "getOwnPropertyDescriptors", {
    configurable: true,
    writable: true,
    value: function getOwnPropertyDescriptors(object) {
      var keys = Object.getOwnPropertyNames(object);
      if (typeof Object.getOwnPropertySymbols === "function") keys = keys.concat(Object.getOwnPropertySymbols(object));
      var descriptors = {};
      for (var i = 0; i < keys.length; i++) {
        var descriptor = Object.getOwnPropertyDescriptor(object, keys[i]);
        if (descriptor !== undefined) descriptors[keys[i]] = descriptor;
      }
      return descriptors;
    },
  });
})(this);
