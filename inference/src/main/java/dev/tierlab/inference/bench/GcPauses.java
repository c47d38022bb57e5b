package dev.tierlab.inference.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The JVM's garbage-collection pauses between {@link #start()} and {@link #stop()}: how many, their
 * total and their longest, from the collectors' MXBean notifications
 * ({@link GarbageCollectionNotificationInfo}).
 *
 * <p>Which collections count: those between the two calls by each collector's own count
 * ({@link GarbageCollectorMXBean#getCollectionCount()}, read synchronously at both ends); a
 * notification, which the JVM delivers later on its notification thread, is matched to them by its
 * collection id, so a collection that ended before {@code start()} is never counted even when its
 * notification arrives after. {@code stop()} waits up to {@code waitMillis} for the notifications of
 * the counted collections; {@link Summary#complete()} says whether they all came.
 *
 * <p>Pauses vs concurrent work: ZGC and Shenandoah report their concurrent cycles on separate
 * collectors named "... Cycles"; those are counted in {@link Summary#concurrentCycles()}, not as
 * pauses. Every other collector's collections are stop-the-world pauses (G1's "Concurrent GC"
 * collector reports its Remark and Cleanup pauses).
 *
 * <p>Resolution: the JVM reports durations in whole milliseconds, so pauses shorter than 1 ms
 * count as pauses with 0 ms. Use one instance per run, {@code start()}/{@code stop()} around every
 * repeat, from one thread; {@link #close()} removes the listeners.
 */
public final class GcPauses implements AutoCloseable {

    /**
     * Pauses between start and stop: count, total and longest in milliseconds, concurrent cycles
     * that ended in between, and whether every counted collection's notification arrived (when not,
     * {@code totalMillis} falls back to the collectors' accumulated times and {@code maxMillis} is
     * the longest of the pauses that were reported).
     */
    public record Summary(int pauses, long totalMillis, long maxMillis, int concurrentCycles, boolean complete) {
        public static final Summary NONE = new Summary(0, 0, 0, 0, true);
    }

    private record Event(String collector, long id, long durationMillis) {
    }

    private final List<GarbageCollectorMXBean> beans = new ArrayList<>();
    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
    private final NotificationListener listener = this::onNotification;
    private final long waitMillis;
    private final Map<String, Long> startCounts = new HashMap<>();
    private final Map<String, Long> startTimes = new HashMap<>();
    private boolean started;

    /** Listens to every collector of this JVM; {@code stop()} waits up to 500 ms for late notifications. */
    public GcPauses() {
        this(500);
    }

    public GcPauses(long waitMillis) {
        this.waitMillis = waitMillis;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (b instanceof NotificationEmitter e) {
                e.addNotificationListener(listener, null, null);
                beans.add(b);
            }
        }
    }

    /** Whether the collector's collections are concurrent cycles (ZGC, Shenandoah) rather than pauses. */
    static boolean isConcurrentCycles(String collector) {
        return collector.endsWith(" Cycles");
    }

    private void onNotification(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        events.add(new Event(info.getGcName(), info.getGcInfo().getId(), info.getGcInfo().getDuration()));
    }

    /** Begins a window: collections from now on count. */
    public void start() {
        events.clear();
        startCounts.clear();
        startTimes.clear();
        for (GarbageCollectorMXBean b : beans) {
            startCounts.put(b.getName(), b.getCollectionCount());
            startTimes.put(b.getName(), b.getCollectionTime());
        }
        started = true;
    }

    /** Ends the window and sums its pauses; waits (bounded) for notifications still on their way. */
    public Summary stop() {
        if (!started) {
            throw new IllegalStateException("GcPauses.stop() without start()");
        }
        started = false;
        Map<String, Long> endCounts = new HashMap<>();
        int expected = 0;
        int pauses = 0;
        int cycles = 0;
        long accumulated = 0;
        for (GarbageCollectorMXBean b : beans) {
            long end = b.getCollectionCount();
            endCounts.put(b.getName(), end);
            int n = (int) Math.max(0, end - startCounts.get(b.getName()));
            expected += n;
            if (isConcurrentCycles(b.getName())) {
                cycles += n;
            } else {
                pauses += n;
                accumulated += Math.max(0, b.getCollectionTime() - startTimes.get(b.getName()));
            }
        }
        if (expected == 0) {
            return Summary.NONE;
        }
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        List<Event> inWindow = matching(endCounts);
        while (inWindow.size() < expected && System.nanoTime() < deadline) {
            LockSupport.parkNanos(200_000);
            inWindow = matching(endCounts);
        }
        long total = 0;
        long max = 0;
        for (Event e : inWindow) {
            if (!isConcurrentCycles(e.collector())) {
                total += e.durationMillis();
                max = Math.max(max, e.durationMillis());
            }
        }
        boolean complete = inWindow.size() >= expected;
        return new Summary(pauses, complete ? total : accumulated, max, cycles, complete);
    }

    /** The notifications received so far whose collection lies inside the window. */
    private List<Event> matching(Map<String, Long> endCounts) {
        List<Event> out = new ArrayList<>();
        for (Event e : events) {
            Long from = startCounts.get(e.collector());
            Long to = endCounts.get(e.collector());
            if (from != null && to != null && e.id() > from && e.id() <= to) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (GarbageCollectorMXBean b : beans) {
            try {
                ((NotificationEmitter) b).removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // already gone
            }
        }
        events.clear();
    }
}
