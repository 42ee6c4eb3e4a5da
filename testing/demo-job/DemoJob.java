package io.streamwarden.demo;

import java.util.Collections;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Demo job used by StreamWarden's integration tests (built by scripts/flink.sh).
 *
 * <p>Arguments (all optional, each followed by a value):
 *
 * <ul>
 *   <li>--mode steady|fail|loop|finish|stall (default steady), see below.
 *   <li>--after-ms N (default 2000): when fail/loop throw, stall blocks, finish ends; measured per
 *       attempt, from the map's open().
 *   <li>--name JOBNAME (default demo-MODE).
 *   <li>--checkpoint-ms N (default 0 = checkpointing off): checkpoint interval.
 *   <li>--restart-delay-ms N (default 500): fixed restart delay of mode loop.
 *   <li>--checkpoint-timeout-ms N (default: not set, Flink's default of 10 min):
 *       execution.checkpointing.timeout; a checkpoint still in progress after N ms expires (fails).
 *   <li>--tolerable-failures N (default: not set, Flink's default of 0):
 *       execution.checkpointing.tolerable-failed-checkpoints; the job fails over once more than N
 *       consecutive checkpoints failed.
 * </ul>
 *
 * <p>Modes:
 *
 * <ul>
 *   <li>steady: runs forever, one record every 100 ms (no restart strategy set: Flink's default).
 *   <li>fail: restart strategy none; throws after N ms, so the job ends FAILED.
 *   <li>loop: fixed-delay restarts forever; every attempt throws after N ms (RUNNING/RESTARTING).
 *   <li>finish: bounded; FINISHED after about N ms.
 *   <li>stall: restart strategy none; like steady, but after N ms the map blocks forever (it can
 *       still be cancelled), so no further checkpoint completes: each one stays in progress until
 *       its timeout and then expires. With a large --tolerable-failures the job stays RUNNING.
 * </ul>
 *
 * <p>The map keeps a count of the records it processed in operator state (a {@code ListState<Long>}
 * snapshotted with every checkpoint and restored when the job starts from a checkpoint or
 * savepoint). The failure message of fail/loop is {@code demo failure after N ms at count C}, where
 * C is that count (restored records included; in loop mode each restart restores it from the
 * latest completed checkpoint, so it keeps growing). The map also registers a gauge
 * {@code demoCount} with the current count: metric id {@code slow-map.demoCount} in
 * /jobs/:jid/vertices/:vid/subtasks/metrics (the REST metric store refreshes every 10 s by
 * default, so it may be absent right after the job started).
 *
 * <p>Source, map and sink run at parallelism 1 and are chained into one task, so the sleep in the
 * map throttles the source directly (no network buffers fill up, checkpoint barriers are not
 * delayed behind queued records) and the job uses almost no CPU. It also means that a blocked map
 * (stall) blocks the task's mailbox thread, which is where the source's checkpoints are triggered.
 */
public final class DemoJob {
    private static final long RECORD_INTERVAL_MS = 100;

    public static void main(String[] args) throws Exception {
        String mode = "steady";
        long afterMs = 2000;
        String name = null;
        long checkpointMs = 0;
        long restartDelayMs = 500;
        long checkpointTimeoutMs = -1;
        int tolerableFailures = -1;
        for (int i = 0; i < args.length; i++) {
            String key = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + key);
            }
            String value = args[++i];
            switch (key) {
                case "--mode": mode = value; break;
                case "--after-ms": afterMs = Long.parseLong(value); break;
                case "--name": name = value; break;
                case "--checkpoint-ms": checkpointMs = Long.parseLong(value); break;
                case "--restart-delay-ms": restartDelayMs = Long.parseLong(value); break;
                case "--checkpoint-timeout-ms": checkpointTimeoutMs = Long.parseLong(value); break;
                case "--tolerable-failures": tolerableFailures = Integer.parseInt(value); break;
                default: throw new IllegalArgumentException("unknown argument " + key);
            }
        }
        if (name == null) {
            name = "demo-" + mode;
        }

        Configuration conf = new Configuration();
        long records = Long.MAX_VALUE; // unbounded in practice
        Behavior behavior = Behavior.NONE;
        switch (mode) {
            case "steady":
                break;
            case "fail":
                conf.setString("restart-strategy.type", "none");
                behavior = Behavior.THROW;
                break;
            case "loop":
                conf.setString("restart-strategy.type", "fixed-delay");
                conf.setString("restart-strategy.fixed-delay.attempts", String.valueOf(Integer.MAX_VALUE));
                conf.setString("restart-strategy.fixed-delay.delay", restartDelayMs + " ms");
                behavior = Behavior.THROW;
                break;
            case "finish":
                records = Math.max(1, afterMs / RECORD_INTERVAL_MS);
                break;
            case "stall":
                conf.setString("restart-strategy.type", "none");
                behavior = Behavior.STALL;
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + mode);
        }
        if (checkpointTimeoutMs >= 0) {
            conf.setString(CheckpointingOptions.CHECKPOINTING_TIMEOUT.key(), checkpointTimeoutMs + " ms");
        }
        if (tolerableFailures >= 0) {
            conf.setString(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER.key(), String.valueOf(tolerableFailures));
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        if (checkpointMs > 0) {
            env.enableCheckpointing(checkpointMs);
        }
        env.fromSequence(1, records)
                .name("sequence")
                .map(new SlowMap(behavior, behavior == Behavior.NONE ? -1 : afterMs))
                .name("slow-map")
                .uid("slow-map")
                .sinkTo(new DiscardingSink<>())
                .name("discard");
        env.execute(name);
    }

    /** What the map does once the attempt has run for afterMs. */
    enum Behavior {
        NONE,
        THROW,
        STALL
    }

    /**
     * Sleeps per record and counts the records in operator state; once the attempt has run for
     * afterMs (if >= 0) it throws (THROW) or blocks until interrupted (STALL).
     */
    static final class SlowMap extends RichMapFunction<Long, Long> implements CheckpointedFunction {
        private static final long serialVersionUID = 1L;
        private final Behavior behavior;
        private final long afterMs;
        private transient long startedAt;
        /** Records processed, restored ones included; read by the metric thread too. */
        private transient volatile long count;
        private transient ListState<Long> countState;

        SlowMap(Behavior behavior, long afterMs) {
            this.behavior = behavior;
            this.afterMs = afterMs;
        }

        @Override
        public void initializeState(FunctionInitializationContext context) throws Exception {
            countState = context.getOperatorStateStore()
                    .getListState(new ListStateDescriptor<>("demo-count", Long.class));
            long restored = 0;
            if (context.isRestored()) {
                for (Long c : countState.get()) {
                    restored += c;
                }
            }
            count = restored;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            countState.update(Collections.singletonList(count));
        }

        @Override
        public void open(OpenContext openContext) {
            startedAt = System.currentTimeMillis();
            getRuntimeContext().getMetricGroup().gauge("demoCount", (Gauge<Long>) () -> count);
        }

        @Override
        public Long map(Long value) throws Exception {
            if (afterMs >= 0 && System.currentTimeMillis() - startedAt >= afterMs) {
                if (behavior == Behavior.THROW) {
                    throw new IllegalStateException(
                            "demo failure after " + afterMs + " ms at count " + count);
                }
                if (behavior == Behavior.STALL) {
                    stallUntilInterrupted();
                }
            }
            Thread.sleep(RECORD_INTERVAL_MS);
            count++;
            return value;
        }

        /** Blocks the task thread until it is interrupted (task cancellation), then rethrows. */
        private static void stallUntilInterrupted() throws InterruptedException {
            try {
                while (true) {
                    Thread.sleep(1000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw e;
            }
        }
    }
}
