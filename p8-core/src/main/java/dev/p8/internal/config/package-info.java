/**
 * Reading Pushpin's {@code pushpin.conf} and the runner's command line, so that a Pushpin
 * set-up starts P8 unchanged. Not public API.
 */
package dev.p8.internal.config;
