/**
 * Helpers for backends written in Java: {@link dev.p8.backend.GripHeaders} writes the
 * {@code Grip-*} response headers that tell P8 (or Pushpin) to hold a request, and
 * {@link dev.p8.backend.GripSigVerifier} checks the {@code Grip-Sig} header that proves a
 * request came through the proxy. Neither needs an HTTP server or P8 itself at run time.
 */
package dev.p8.backend;
