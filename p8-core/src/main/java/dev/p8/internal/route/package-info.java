/**
 * Loading a routes file and choosing the route for a request, following Pushpin's matching
 * rules. Not public API.
 */
package dev.p8.internal.route;
