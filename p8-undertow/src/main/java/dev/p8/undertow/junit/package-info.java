/**
 * A JUnit 5 kit for integration tests against an in-process P8: annotate the test class with
 * {@link dev.p8.undertow.junit.P8Test}, give it a backend with
 * {@link dev.p8.undertow.junit.P8Backend}, and take the {@link dev.p8.undertow.P8Server}, its
 * {@link java.net.URI} and a {@link dev.p8.publish.Publisher} as test method parameters.
 *
 * <p>JUnit Jupiter is an optional dependency of {@code p8-undertow}: add
 * {@code org.junit.jupiter:junit-jupiter} to the test classpath to use this package. Nothing
 * else in P8 refers to it.
 */
package dev.p8.undertow.junit;
