package dev.p8.internal.zmq;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Internal; public only so that {@link dev.p8.publish.ZmqPublisher} can use it.
 *
 * <p>One thread that owns a ZeroMQ context and every socket in it, polling them. ZeroMQ sockets
 * are not thread safe, so other threads never touch them: they hand work over with
 * {@link #execute(Runnable)}, which queues the task and wakes the poller through an inproc
 * socket.
 *
 * <p>Lifecycle: {@link #start(Setup)} runs the setup on the new thread (creating, binding and
 * registering sockets) and returns once it is done, or throws if it failed; {@link #close()}
 * stops the loop, closes every socket with linger 0, terminates the context and joins the
 * thread. Handlers, tasks and the deadline callback all run on the socket thread; an exception
 * from one is logged and the loop carries on.
 */
public final class SocketThread implements AutoCloseable {

  /** Creates and registers sockets; runs once, on the socket thread. */
  public interface Setup {
    /**
     * Sets up the sockets.
     *
     * @param thread the socket thread, for {@link SocketThread#socket(SocketType)} and
     *     {@link SocketThread#onReadable(ZMQ.Socket, Consumer)}
     * @throws Exception to fail {@link SocketThread#start(Setup)}
     */
    void setUp(SocketThread thread) throws Exception;
  }

  private static final Logger LOG = LoggerFactory.getLogger(SocketThread.class);
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final long JOIN_MILLIS = 10_000;
  private static final long NO_DEADLINE = Long.MAX_VALUE;
  static final int HANDSHAKE_MILLIS = 2000;

  private final String name;
  private final String wakeupEndpoint;
  private final ZContext context = new ZContext(1);
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final List<ZMQ.Socket> readable = new ArrayList<>();
  private final List<Consumer<ZMQ.Socket>> handlers = new ArrayList<>();
  private final Object wakeupLock = new Object();
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private ZMQ.Socket wakeupSender;
  private LongSupplier nextDeadline = () -> NO_DEADLINE;
  private Runnable onDeadline = () -> { };
  private volatile boolean stopping;
  private Thread thread;

  /**
   * Creates a socket thread; nothing runs until {@link #start(Setup)}.
   *
   * @param name the thread's name
   */
  public SocketThread(String name) {
    this.name = name;
    this.wakeupEndpoint = "inproc://p8-wakeup-" + IDS.incrementAndGet();
    context.setLinger(0);
  }

  /**
   * Starts the thread and waits for the setup.
   *
   * @param setup creates and registers the sockets
   * @throws IllegalStateException with the setup's message if it failed; everything is closed
   */
  public void start(Setup setup) {
    thread = new Thread(() -> run(setup), name);
    thread.setDaemon(true);
    thread.start();
    try {
      ready.get(JOIN_MILLIS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      close();
      Throwable cause = e.getCause();
      throw new IllegalStateException(cause.getMessage(), cause);
    } catch (TimeoutException e) {
      close();
      throw new IllegalStateException(name + " did not start within " + JOIN_MILLIS + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException(name + ": interrupted while starting", e);
    }
    synchronized (wakeupLock) {
      wakeupSender = context.createSocket(SocketType.PUSH);
      wakeupSender.setLinger(0);
      wakeupSender.connect(wakeupEndpoint);
    }
  }

  /**
   * Creates a socket configured as {@link #configure(ZMQ.Socket)} does; socket thread only.
   *
   * @param type the socket type
   * @return the socket, owned by this thread's context
   */
  public ZMQ.Socket socket(SocketType type) {
    ZMQ.Socket socket = context.createSocket(type);
    configure(socket);
    return socket;
  }

  /**
   * Linger 0, so closing never waits for unsent messages, and a short handshake interval:
   * with JeroMQ 0.6 on a busy machine, about one TCP connection in fifty stalled in the ZMTP
   * handshake in our tests and carried nothing until the handshake interval (30 s by default)
   * dropped it. With this interval a stalled connection is remade after
   * {@value #HANDSHAKE_MILLIS} ms and the messages queued for it still arrive.
   */
  public static void configure(ZMQ.Socket socket) {
    socket.setLinger(0);
    socket.setHandshakeIvl(HANDSHAKE_MILLIS);
  }

  /**
   * Calls {@code handler} whenever {@code socket} is readable; socket thread only, during setup.
   * The handler should read until {@code recv(DONTWAIT)} returns null.
   *
   * @param socket  the socket
   * @param handler reads it
   */
  public void onReadable(ZMQ.Socket socket, Consumer<ZMQ.Socket> handler) {
    readable.add(socket);
    handlers.add(handler);
  }

  /**
   * Sets a deadline source: the loop wakes at the {@link System#nanoTime()} it returns
   * ({@link Long#MAX_VALUE} for none) and then runs {@code action}. Socket thread only.
   *
   * @param next   the next deadline
   * @param action what to do when it has passed
   */
  public void deadline(LongSupplier next, Runnable action) {
    this.nextDeadline = next;
    this.onDeadline = action;
  }

  /**
   * Runs a task on the socket thread, soon; from any thread.
   *
   * @param task the task
   * @return false if the thread is closing and the task will not run
   */
  public boolean execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    if (stopping) {
      return false;
    }
    tasks.add(task);
    wake();
    return true;
  }

  /**
   * Binds a socket, failing with a message that names the option and the spec.
   *
   * @param socket the socket
   * @param spec   the endpoint
   * @param option the option it came from, for the message
   * @throws IllegalStateException if it cannot be bound
   */
  public static void bind(ZMQ.Socket socket, String spec, String option) {
    boolean ok;
    try {
      ok = socket.bind(spec);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot bind " + option + " " + spec + ": " + e, e);
    }
    if (!ok) {
      throw new IllegalStateException("cannot bind " + option + " " + spec);
    }
  }

  /**
   * Connects a socket, failing with a message that names the option and the spec.
   *
   * @param socket the socket
   * @param spec   the endpoint
   * @param option the option it came from, for the message
   * @throws IllegalStateException if the spec is not valid
   */
  public static void connect(ZMQ.Socket socket, String spec, String option) {
    boolean ok;
    try {
      ok = socket.connect(spec);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot connect " + option + " " + spec + ": " + e, e);
    }
    if (!ok) {
      throw new IllegalStateException("cannot connect " + option + " " + spec);
    }
  }

  private void wake() {
    synchronized (wakeupLock) {
      if (wakeupSender != null) {
        // A full pipe already holds wake-ups, and the loop drains every task per wake-up.
        wakeupSender.send(new byte[0], ZMQ.DONTWAIT);
      }
    }
  }

  private void run(Setup setup) {
    ZMQ.Socket wakeup;
    ZMQ.Poller poller;
    try {
      wakeup = socket(SocketType.PULL);
      wakeup.bind(wakeupEndpoint);
      setup.setUp(this);
      poller = context.createPoller(readable.size() + 1);
      poller.register(wakeup, ZMQ.Poller.POLLIN);
      for (ZMQ.Socket socket : readable) {
        poller.register(socket, ZMQ.Poller.POLLIN);
      }
    } catch (Throwable t) {
      ready.completeExceptionally(t);
      return;
    }
    ready.complete(null);
    try {
      while (!stopping) {
        long deadline = safeDeadline();
        long timeout = -1;
        if (deadline != NO_DEADLINE) {
          timeout = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1);
        }
        poller.poll(timeout);
        if (stopping) {
          break;
        }
        if (poller.pollin(0)) {
          while (wakeup.recv(ZMQ.DONTWAIT) != null) {
            // drained; the tasks below are what matters
          }
        }
        Runnable task;
        while ((task = tasks.poll()) != null) {
          guard("task", task);
        }
        if (deadline != NO_DEADLINE && System.nanoTime() - deadline >= 0) {
          guard("deadline", onDeadline);
        }
        for (int i = 0; i < readable.size(); i++) {
          if (poller.pollin(i + 1)) {
            ZMQ.Socket socket = readable.get(i);
            Consumer<ZMQ.Socket> handler = handlers.get(i);
            guard("read", () -> handler.accept(socket));
          }
        }
      }
    } catch (RuntimeException | Error e) {
      // Only a broken context ends up here; the owner's close() still cleans up.
      if (!stopping) {
        LOG.error("{} stopped unexpectedly", name, e);
      }
    } finally {
      poller.close();
    }
  }

  private long safeDeadline() {
    try {
      return nextDeadline.getAsLong();
    } catch (RuntimeException e) {
      LOG.warn("{}: deadline source failed", name, e);
      return NO_DEADLINE;
    }
  }

  private void guard(String what, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("{}: {} failed", name, what, e);
    }
  }

  /** Stops the loop, joins the thread and closes every socket and the context. Idempotent. */
  @Override
  public void close() {
    if (stopping && thread == null) {
      return;
    }
    stopping = true;
    wake();
    Thread t = thread;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(JOIN_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) {
        LOG.warn("{} did not stop within {} ms", name, JOIN_MILLIS);
      }
    }
    thread = null;
    synchronized (wakeupLock) {
      wakeupSender = null;
    }
    context.close();
  }
}
