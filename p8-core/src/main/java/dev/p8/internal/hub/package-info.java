/** The channel hub: who listens to which channel, and fan-out of published items. */
package dev.p8.internal.hub;
