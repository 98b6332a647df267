// Runs in <head> before the first paint: apply the account's theme (from the seen_theme cookie the
// server sets at login) so a fresh browser does not flash the wrong theme.
(function () {
  try {
    var match = document.cookie.match(/(?:^|; )seen_theme=(dark|light|system)/);
    var theme = match ? match[1] : localStorage.getItem("theme") || "dark";
    localStorage.setItem("theme", theme);
    var dark = theme === "dark" || (theme === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
    var resolved = dark ? "dark" : "light";
    document.documentElement.classList.remove("light", "dark");
    document.documentElement.classList.add(resolved);
    document.documentElement.style.colorScheme = resolved;
  } catch (e) {}
})();
