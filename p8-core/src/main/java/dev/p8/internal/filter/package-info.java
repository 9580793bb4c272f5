/**
 * Pushpin's subscription filters ({@code skip-self}, {@code skip-users}, {@code require-sub},
 * {@code build-id}, {@code var-subst}): compiled once per subscription into a
 * {@link dev.p8.internal.filter.FilterChain} and run per delivery.
 */
package dev.p8.internal.filter;
