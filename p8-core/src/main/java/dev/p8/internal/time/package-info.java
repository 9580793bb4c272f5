/** Time as a seam: a clock and a scheduler, so timeouts are tested without sleeping. */
package dev.p8.internal.time;
