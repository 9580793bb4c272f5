/**
 * The GRIP instructions a backend gives in its response ({@code Grip-Hold},
 * {@code Grip-Channel}, ... or an {@code application/grip-instruct} body), parsed by
 * {@link dev.p8.grip.GripInstruction}, and the {@code Grip-Sig} token of
 * {@link dev.p8.grip.GripSig} that a backend verifies. Every type here is immutable and thread
 * safe.
 */
package dev.p8.grip;
