// The Content-Security-Policy of the Electron window: only the app's own files, no inline code,
// no plugins, no forms, no framing. main.ts sends it as a header on every response.
export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
