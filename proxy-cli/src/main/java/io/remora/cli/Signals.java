package io.remora.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * SIGINT/SIGTERM handling with a "second signal exits at once" rule, which shutdown hooks cannot give (the JVM
 * ignores signals once it is shutting down). Uses {@code sun.misc.Signal} through reflection, because the
 * compiler forbids naming that internal API under {@code -Werror}; where it is missing, falls back to a
 * shutdown hook.
 */
final class Signals {
    private Signals() {
    }

    /** Calls {@code handler} (on the JVM's signal thread) for every SIGINT and SIGTERM. */
    static boolean handleTermination(Runnable handler) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> signalHandler = Class.forName("sun.misc.SignalHandler");
            InvocationHandler ih = (proxy, method, args) -> {
                if (method.getName().equals("handle")) {
                    handler.run();
                    return null;
                }
                if (method.getName().equals("toString")) {
                    return "remora-signal-handler";
                }
                if (method.getName().equals("hashCode")) {
                    return System.identityHashCode(proxy);
                }
                if (method.getName().equals("equals")) {
                    return proxy == args[0];
                }
                return null;
            };
            Object h = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {signalHandler}, ih);
            Method handle = signal.getMethod("handle", signal, signalHandler);
            for (String name : new String[] {"INT", "TERM"}) {
                handle.invoke(null, signal.getConstructor(String.class).newInstance(name), h);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Runtime.getRuntime().addShutdownHook(new Thread(handler, "remora-shutdown"));
            return false;
        }
    }
}
