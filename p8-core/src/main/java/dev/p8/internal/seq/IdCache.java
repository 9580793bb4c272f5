package dev.p8.internal.seq;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Remembers which (channel, id) pairs were published recently, so that a repeated publish of
 * the same item is dropped. This is Pushpin's {@code id_cache_ttl}: an ID is remembered from its
 * first sighting for the TTL, a repeat does not extend it, and expired IDs are forgotten.
 *
 * <p>Memory is bounded twice: by the TTL, and by {@link #maxEntries()}; when the cache is full
 * the oldest entry is forgotten early, so a very late duplicate of it would pass. Entries are
 * kept in insertion order, which is also expiry order because the TTL is fixed, so expiring is
 * proportional to the number of entries removed.
 *
 * <p>Not thread safe: {@link Sequencer} calls it under its own lock.
 */
public final class IdCache {

  /** Default TTL: 60 s, as Pushpin's shipped pushpin.conf sets {@code id_cache_ttl}. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);

  /** Default bound on remembered IDs: 1,000,000, about 100 MB in the worst case. */
  public static final int DEFAULT_MAX_ENTRIES = 1_000_000;

  private record Key(String channel, String id) { }

  private final long ttlNanos;
  private final int maxEntries;
  private final LinkedHashMap<Key, Long> expiries = new LinkedHashMap<>();
  private long evictedEarly;

  /**
   * Creates a cache.
   *
   * @param ttl        how long an ID is remembered; zero turns the cache off (Pushpin's code
   *                   default), so every item passes
   * @param maxEntries the most IDs remembered at once, at least 1
   * @throws IllegalArgumentException if the TTL is negative or maxEntries is below 1
   */
  public IdCache(Duration ttl, int maxEntries) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("idCacheTtl (" + ttl + ") must not be negative"
          + " (pushpin.conf [handler] id_cache_ttl)");
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("idCacheMaxEntries (" + maxEntries
          + ") must be at least 1");
    }
    this.ttlNanos = ttl.toNanos();
    this.maxEntries = maxEntries;
  }

  /** A cache with {@link #DEFAULT_TTL} and {@link #DEFAULT_MAX_ENTRIES}. */
  public static IdCache withDefaults() {
    return new IdCache(DEFAULT_TTL, DEFAULT_MAX_ENTRIES);
  }

  /** A cache that remembers nothing. */
  public static IdCache disabled() {
    return new IdCache(Duration.ZERO, 1);
  }

  /**
   * Records a sighting of {@code id} on {@code channel}.
   *
   * @param channel  the channel
   * @param id       the item ID
   * @param nowNanos the current {@link dev.p8.internal.time.Clock#nanoTime()} reading
   * @return true if the pair was not seen within the TTL (deliver it), false for a duplicate
   */
  public boolean firstSighting(String channel, String id, long nowNanos) {
    expire(nowNanos);
    if (ttlNanos == 0) {
      return true;
    }
    Key key = new Key(channel, id);
    if (expiries.containsKey(key)) {
      return false;
    }
    if (expiries.size() >= maxEntries) {
      Iterator<Map.Entry<Key, Long>> oldest = expiries.entrySet().iterator();
      oldest.next();
      oldest.remove();
      evictedEarly++;
    }
    expiries.put(key, nowNanos + ttlNanos);
    return true;
  }

  /**
   * Forgets every ID whose TTL has passed.
   *
   * @param nowNanos the current clock reading
   */
  public void expire(long nowNanos) {
    Iterator<Long> it = expiries.values().iterator();
    while (it.hasNext()) {
      if (it.next() - nowNanos > 0) {
        return;
      }
      it.remove();
    }
  }

  /**
   * When the oldest entry expires.
   *
   * @return its clock reading, or {@link Long#MAX_VALUE} when the cache is empty
   */
  public long nextExpiry() {
    Iterator<Long> it = expiries.values().iterator();
    return it.hasNext() ? it.next() : Long.MAX_VALUE;
  }

  /** Whether the cache is on (a TTL above zero). */
  public boolean enabled() {
    return ttlNanos > 0;
  }

  /** The number of IDs remembered now. */
  public int size() {
    return expiries.size();
  }

  /** The bound on remembered IDs. */
  public int maxEntries() {
    return maxEntries;
  }

  /** How many IDs were forgotten before their TTL because the cache was full. */
  public long evictedEarly() {
    return evictedEarly;
  }
}
