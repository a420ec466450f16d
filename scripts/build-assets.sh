#!/usr/bin/env bash
# Rebuild the vendored NHS.UK frontend assets and the site stylesheet.
#
# Output (committed, so running the app needs no Node):
#   core/static/nhsuk/nhsuk.min.css   NHS.UK frontend CSS (no web-font download)
#   core/static/nhsuk/nhsuk.min.js    NHS.UK frontend JS (ES module; started by core/static/app.js)
#   core/static/nhsuk/assets/         favicons, app icons, manifest, icon SVGs used by the CSS
#   core/static/app.css               compiled from core/static/app.scss
#
# Usage: bash scripts/build-assets.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

STATIC="core/static"
OUT="$STATIC/nhsuk"
PKG="node_modules/nhsuk-frontend/dist/nhsuk"
SASS="node_modules/.bin/sass"

echo "==> npm ci"
npm ci --no-audit --no-fund

rm -rf "$OUT"
mkdir -p "$OUT/assets"

# Images are referenced relative to the stylesheet (core/static/nhsuk/),
# so the CSS works whatever URL the static folder is served from.
echo "==> compiling NHS.UK frontend CSS -> $OUT/nhsuk.min.css"
"$SASS" --stdin --load-path=node_modules --style=compressed --no-source-map \
  --quiet-deps --silence-deprecation=import "$OUT/nhsuk.min.css" <<'SCSS'
@use "nhsuk-frontend/dist/nhsuk" as nhsuk with (
  // Do not emit @font-face rules that download Frutiger from assets.nhs.uk.
  // Text falls back to Arial / sans-serif (and uses Frutiger if installed locally).
  $nhsuk-include-default-font-face: false,
  $nhsuk-images-path: "assets/images/"
);

// NHS.UK frontend only sets the page font-family together with its @font-face
// rules, so set it here: Frutiger if installed locally, else Arial / sans-serif.
html {
  font-family: nhsuk.$nhsuk-font-family;
}

@media print {
  html {
    font-family: nhsuk.$nhsuk-font-family-print;
  }
}
SCSS

echo "==> compiling site CSS -> $STATIC/app.css"
"$SASS" --load-path=node_modules --style=compressed --no-source-map \
  --quiet-deps "$STATIC/app.scss" "$STATIC/app.css"

echo "==> copying NHS.UK frontend JS and assets"
# Drop the sourceMappingURL comment: source maps are not shipped.
sed -e 's|//# sourceMappingURL=.*$||' "$PKG/nhsuk-frontend.min.js" > "$OUT/nhsuk.min.js"
cp -R "$PKG/assets/images" "$OUT/assets/images"
cp "$PKG/assets/manifest.json" "$OUT/assets/manifest.json"
# Social-sharing image is only used with an absolute og:image URL; not needed.
rm -f "$OUT/assets/images/nhsuk-opengraph-image.png"

echo "==> checking the CSS makes no requests off this server"
if grep -EHno "url\((['\"])?(https?:)?//[^)]*" "$OUT/nhsuk.min.css" "$STATIC/app.css"; then
  echo "ERROR: built CSS references an external URL (listed above)." >&2
  exit 1
fi
if grep -Eq "@font-face|@import" "$OUT/nhsuk.min.css" "$STATIC/app.css"; then
  echo "ERROR: built CSS contains @font-face or @import." >&2
  exit 1
fi

echo "==> done"
du -sh "$STATIC"
