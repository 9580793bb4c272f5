/**
 * JSON Patch (RFC 6902) and JSON Pointer (RFC 6901) over Jackson trees, for the
 * {@code body-patch} of published {@code http-response} items.
 */
package dev.p8.internal.patch;
