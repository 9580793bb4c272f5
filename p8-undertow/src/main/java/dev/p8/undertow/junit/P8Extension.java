package dev.p8.undertow.junit;

import dev.p8.publish.Publisher;
import dev.p8.undertow.P8Server;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The extension behind {@link P8Test}. The backend and proxy of a class live in the class's
 * store, so JUnit closes them when the class is done, even when a test failed.
 */
final class P8Extension implements ParameterResolver, AfterEachCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(P8Extension.class);
  private static final String FIXTURE = "fixture";
  private static final String IN_PROCESS_NAME = "backend";
  private static final String IN_PROCESS_TARGET = "in-process:" + IN_PROCESS_NAME + ",over_http";

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == P8Server.class || type == Publisher.class || type == URI.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    P8Server server = fixture(context).server;
    Class<?> type = parameter.getParameter().getType();
    if (type == P8Server.class) {
      return server;
    }
    if (type == Publisher.class) {
      return server.publisher();
    }
    if (parameter.isAnnotated(ControlUrl.class)) {
      return server.controlUrl();
    }
    return server.url();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    ExtensionContext classContext = classContext(context);
    Fixture fixture = classContext.getStore(NAMESPACE).get(FIXTURE, Fixture.class);
    P8Test config = config(classContext);
    if (fixture == null || !config.checkLeaks()) {
      return;
    }
    String leak = awaitNoLeak(fixture.server, config.leakTimeoutMillis());
    if (leak != null) {
      // A fresh proxy for the next test, so one leak is reported once.
      classContext.getStore(NAMESPACE).remove(FIXTURE, Fixture.class).close();
      throw new AssertionError("P8 leak after " + context.getDisplayName() + ": " + leak
          + " still open " + config.leakTimeoutMillis() + " ms after the test ended."
          + " Close every response, stream and WebSocket the test opened,"
          + " or use @P8Test(checkLeaks = false).");
    }
  }

  /** Returns null once P8 holds nothing, or a description of what it still holds at the deadline. */
  static String awaitNoLeak(P8Server server, long timeoutMillis) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (true) {
      int held = server.heldConnections();
      int sockets = server.webSocketConnections();
      int subscriptions = server.subscriptions();
      if (held == 0 && sockets == 0 && subscriptions == 0) {
        return null;
      }
      if (System.nanoTime() - deadline > 0) {
        return held + " held connection(s), " + sockets + " WebSocket(s) and "
            + subscriptions + " subscription(s) were";
      }
      LockSupport.parkNanos(2_000_000);
    }
  }

  private static Fixture fixture(ExtensionContext context) {
    ExtensionContext classContext = classContext(context);
    return classContext.getStore(NAMESPACE)
        .getOrComputeIfAbsent(FIXTURE, k -> Fixture.start(classContext), Fixture.class);
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext c = context;
    while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }

  private static P8Test config(ExtensionContext classContext) {
    Class<?> testClass = classContext.getRequiredTestClass();
    return AnnotationSupport.findAnnotation(testClass, P8Test.class).orElseThrow(() ->
        new ExtensionConfigurationException(testClass.getName() + " is not annotated with @P8Test"));
  }

  /** A backend (when the kit serves one on a socket) and the proxy in front of it. */
  private static final class Fixture implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    final Undertow backend;
    final P8Server server;

    private Fixture(Undertow backend, P8Server server) {
      this.backend = backend;
      this.server = server;
    }

    static Fixture start(ExtensionContext classContext) {
      Class<?> testClass = classContext.getRequiredTestClass();
      P8Test config = config(classContext);
      AnnotatedElement element = backendElement(testClass);
      boolean wantsPublisher = element instanceof Method m && m.getParameterCount() == 1;
      Object backendValue = element == null || wantsPublisher ? null : backendValue(element);
      // A backend that publishes needs the proxy's publisher, and the proxy needs the backend's
      // port, so such a backend starts behind a handler that is filled in once P8 is built.
      AtomicReference<HttpHandler> lateHandler = new AtomicReference<>();
      HttpHandler handler = wantsPublisher
          ? exchange -> lateHandler.get().handleRequest(exchange)
          : backendValue instanceof HttpHandler h ? h : null;
      Undertow backend = null;
      String target = backendValue instanceof String s ? s : null;
      if (handler != null && config.inProcess()) {
        target = IN_PROCESS_TARGET;
      } else if (handler != null) {
        backend = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1)
            .setWorkerThreads(2).setHandler(handler).build();
        backend.start();
        target = "127.0.0.1:" + ((InetSocketAddress) backend.getListenerInfo().get(0).getAddress()).getPort();
      }
      try {
        P8Server.Builder builder = P8Server.builder()
            .listen("127.0.0.1", 0)
            .controlListener("127.0.0.1", 0)
            .ioThreads(2);
        if (handler != null && config.inProcess()) {
          builder.origin(IN_PROCESS_NAME, handler);
        }
        for (String route : routes(testClass, config, target)) {
          builder.route(route);
        }
        setup(testClass, builder);
        P8Server server = builder.build();
        if (wantsPublisher) {
          Object value = ReflectionSupport.invokeMethod((Method) element, null, server.publisher());
          if (!(value instanceof HttpHandler h)) {
            throw new ExtensionConfigurationException("@P8Backend " + describe(element)
                + " takes a Publisher, so it must return an io.undertow.server.HttpHandler, not "
                + (value == null ? "null" : value.getClass().getName()));
          }
          lateHandler.set(h);
        }
        return new Fixture(backend, server.start());
      } catch (RuntimeException | Error e) {
        if (backend != null) {
          backend.stop();
        }
        throw e;
      }
    }

    private static List<String> routes(Class<?> testClass, P8Test config, String target) {
      List<String> routes = new ArrayList<>();
      for (String route : config.routes()) {
        if (route.contains("{backend}")) {
          if (target == null) {
            throw new ExtensionConfigurationException("@P8Test route '" + route + "' of "
                + testClass.getName() + " names {backend}, but the class has no @P8Backend");
          }
          // An in-process target already carries over_http, the only way it takes WebSockets.
          route = target.equals(IN_PROCESS_TARGET)
              ? route.replace("{backend},over_http", target).replace("{backend}", target)
              : route.replace("{backend}", target);
        }
        routes.add(route);
      }
      if (routes.isEmpty() && target != null) {
        routes.add("* " + target);
      }
      return routes;
    }

    private static AnnotatedElement backendElement(Class<?> testClass) {
      List<AnnotatedElement> found = new ArrayList<>();
      found.addAll(AnnotationSupport.findAnnotatedFields(testClass, P8Backend.class));
      found.addAll(AnnotationSupport.findAnnotatedMethods(testClass, P8Backend.class,
          HierarchyTraversalMode.TOP_DOWN));
      if (found.isEmpty()) {
        return null;
      }
      if (found.size() > 1) {
        throw new ExtensionConfigurationException(testClass.getName()
            + " has " + found.size() + " @P8Backend members; it may have one");
      }
      AnnotatedElement element = found.get(0);
      if (element instanceof Field f) {
        requireStatic(f.getModifiers(), "@P8Backend field " + f.getName());
      } else {
        Method m = (Method) element;
        requireStatic(m.getModifiers(), "@P8Backend method " + m.getName());
        if (m.getParameterCount() > 1
            || (m.getParameterCount() == 1 && m.getParameterTypes()[0] != Publisher.class)) {
          throw new ExtensionConfigurationException("@P8Backend method " + m.getName()
              + " must take no parameters or one Publisher");
        }
      }
      return element;
    }

    private static Object backendValue(AnnotatedElement element) {
      Object value;
      if (element instanceof Field f) {
        value = ReflectionSupport.tryToReadFieldValue(f, null).getOrThrow(e ->
            new ExtensionConfigurationException("could not read @P8Backend field " + f.getName(), e));
      } else {
        value = ReflectionSupport.invokeMethod((Method) element, null);
      }
      if (!(value instanceof HttpHandler) && !(value instanceof String)) {
        throw new ExtensionConfigurationException("@P8Backend " + describe(element)
            + " must be an io.undertow.server.HttpHandler or a host:port String, was "
            + (value == null ? "null" : value.getClass().getName()));
      }
      return value;
    }

    private static void setup(Class<?> testClass, P8Server.Builder builder) {
      List<Method> methods = AnnotationSupport.findAnnotatedMethods(testClass, P8Setup.class,
          HierarchyTraversalMode.TOP_DOWN);
      if (methods.size() > 1) {
        throw new ExtensionConfigurationException(testClass.getName()
            + " has " + methods.size() + " @P8Setup methods; it may have one");
      }
      for (Method m : methods) {
        requireStatic(m.getModifiers(), "@P8Setup method " + m.getName());
        if (m.getParameterCount() != 1 || m.getParameterTypes()[0] != P8Server.Builder.class) {
          throw new ExtensionConfigurationException("@P8Setup method " + m.getName()
              + " must take one P8Server.Builder parameter");
        }
        ReflectionSupport.invokeMethod(m, null, builder);
      }
    }

    private static void requireStatic(int modifiers, String what) {
      if (!Modifier.isStatic(modifiers)) {
        throw new ExtensionConfigurationException(what
            + " must be static: the proxy serves every test of the class");
      }
    }

    private static String describe(AnnotatedElement element) {
      return element instanceof Field f ? "field " + f.getName() : "method " + ((Method) element).getName();
    }

    @Override
    public void close() {
      try {
        server.close();
      } finally {
        if (backend != null) {
          backend.stop();
        }
      }
    }
  }
}
