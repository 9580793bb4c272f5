/**
 * Codecs for published items: the JSON of the control API ({@code {"items":[...]}}) and the
 * syntax checks shared by the public item classes. Not API: may change in any release.
 */
package dev.p8.internal.publish;
