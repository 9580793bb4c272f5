/**
 * Routes as Pushpin's routes file writes them: {@link dev.p8.route.Route}, a condition with its
 * options, and {@link dev.p8.route.Target}, a backend to forward to. Both parse from and render
 * to routes-file text.
 *
 * <p>Every type here is immutable and thread safe, except the route builder.
 */
package dev.p8.route;
