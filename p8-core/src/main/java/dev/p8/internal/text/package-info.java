/** Text helpers shared by the parsers' error messages. */
package dev.p8.internal.text;
