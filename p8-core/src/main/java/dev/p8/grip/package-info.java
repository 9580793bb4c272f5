/**
 * GRIP instructions as a backend gives them ({@code Grip-Hold}, {@code Grip-Channel}, ...), and
 * the {@code Grip-Sig} token a backend verifies.
 */
package dev.p8.grip;
