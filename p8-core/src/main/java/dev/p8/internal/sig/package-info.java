/**
 * Grip-Sig keys in every form Pushpin reads them (secret, {@code base64:}, {@code file:} with a
 * hex secret or a PEM EC/RSA key) and JSON Web Tokens signed or checked with them. Not API.
 */
package dev.p8.internal.sig;
