package dev.tierlab.cli;

import dev.tierlab.inference.gguf.GgmlType;
import dev.tierlab.inference.gguf.GgufFile;
import dev.tierlab.inference.gguf.GgufTensorInfo;
import dev.tierlab.inference.model.ModelInfo;
import dev.tierlab.inference.model.ModelPreset;
import dev.tierlab.inference.model.Presets;
import dev.tierlab.inference.model.QuantMix;
import dev.tierlab.inference.model.SyntheticModel;
import dev.tierlab.inference.model.TensorClass;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Synthesize shape-faithful GGUF models and inspect GGUF files.",
        subcommands = {ModelCommand.Synth.class, ModelCommand.Inspect.class, ModelCommand.Routing.class})
final class ModelCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose 'synth', 'inspect' or 'routing'");
    }

    @Command(name = "synth", mixinStandardHelpOptions = true,
            description = {"Write a GGUF with a real model's shapes and random weights.",
                "The tensor shapes and quant mix are the preset's; the weights are random."})
    static final class Synth implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--preset", required = true, paramLabel = "NAME",
                description = "Model shape: ${COMPLETION-CANDIDATES}", completionCandidates = PresetNames.class)
        String preset;

        @Option(names = "--quant", defaultValue = "f16", paramLabel = "TYPE",
                description = "Quant mix: f32, f16, bf16, q8_0, q4_0, q4_k_m (default: ${DEFAULT-VALUE}).")
        String quant;

        @Option(names = "--layers", paramLabel = "N", description = "Keep only the first N layers (default: all).")
        Integer layers;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the random weights (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--router-zipf", paramLabel = "S",
                description = "Mixture-of-experts presets: Zipf exponent of expert popularity per layer, 0 (uniform) to 4 (default: the preset's).")
        Double routerZipf;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "GGUF file to write.")
        Path output;

        @Override
        public Integer call() throws IOException {
            ModelPreset p = Presets.byName(preset).orElseThrow(() -> new UserError(
                    "--preset: unknown preset '%s'; choose one of %s".formatted(preset, String.join(", ", Presets.names()))));
            QuantMix mix = QuantMix.byName(quant).orElseThrow(() -> new UserError(
                    "--quant: unknown quant mix '%s'; choose one of %s".formatted(quant, QuantMix.names())));
            if (layers != null) {
                if (layers < 1 || layers > p.nLayer()) {
                    throw new UserError("--layers: %d is outside 1..%d for preset %s".formatted(layers, p.nLayer(), p.name()));
                }
                p = p.withLayers(layers);
            }
            if (routerZipf != null) {
                if (!p.isMoe()) {
                    throw new UserError("--router-zipf: preset %s has no experts; use a mixture-of-experts preset".formatted(p.name()));
                }
                if (!(routerZipf >= 0 && routerZipf <= 4)) {
                    throw new UserError("--router-zipf: %s is outside 0..4".formatted(routerZipf));
                }
                p = p.withRouterZipf(routerZipf);
            }
            PrintWriter err = spec.commandLine().getErr();
            ProgressLine progress = new ProgressLine(err, "synth " + p.name() + " " + mix.label());
            SyntheticModel.write(p, mix, seed, output, (done, total, t) -> progress.update(done, total));
            progress.finish();
            try (GgufFile f = GgufFile.open(output)) {
                ModelInfo info = ModelInfo.of(f);
                spec.commandLine().getOut().printf("wrote %s: %s, %d layers, %s params, %s%n", output, p.architecture(),
                        info.nLayer(), Units.count(info.params()), Units.bytes(info.fileBytes()));
            }
            return TierlabCli.EXIT_OK;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Print a GGUF model's hyper-parameters, tensors and sizes.",
                "Sizes are bytes per layer and per tensor class."})
    static final class Inspect implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Option(names = "--no-tensors", description = "Leave out the per-tensor table.")
        boolean hideTensors;

        @Override
        public Integer call() {
            try (GgufFile f = GgufFile.open(file)) {
                print(f, ModelInfo.of(f), spec.commandLine().getOut());
            }
            return TierlabCli.EXIT_OK;
        }

        private void print(GgufFile f, ModelInfo m, PrintWriter out) {
            out.printf("file            %s (GGUF v%d, %s, %d metadata keys)%n", f.path(), f.version(),
                    Units.bytes(m.fileBytes()), f.metadata().size());
            out.printf("name            %s%n", m.name());
            out.printf("architecture    %s%n", m.architecture());
            out.printf("params          %s (%,d)%n", Units.count(m.params()), m.params());
            if (m.isMoe()) {
                out.printf("active params   %s (%,d) per token%n", Units.count(m.activeParams()), m.activeParams());
                out.printf("experts         %d, %d used per token%n", m.nExpert(), m.nExpertUsed());
                out.printf("routing         %s%n", m.routing());
            }
            out.printf("weights         %s, mostly %s (%.2f bits/weight)%n", Units.bytes(m.tensorBytes()), m.fileType(),
                    8.0 * m.tensorBytes() / m.params());
            out.printf("layers          %d%n", m.nLayer());
            out.printf("n_embd          %d%n", m.nEmbd());
            out.printf("n_head / kv     %d / %d (head_dim %d)%n", m.nHead(), m.nHeadKv(), m.headDim());
            out.printf("n_ff            %d%n", m.nFf());
            out.printf("n_vocab         %d%n", m.nVocab());
            out.printf("context         %d%n", m.contextLength());
            out.printf("output          %s%n", m.hasOutputTensor() ? "output.weight" : "tied to token_embd.weight");
            long kv = m.kvBytesPerTokenPerLayer(GgmlType.F16);
            out.printf("KV cache (f16)  %s per token per layer, %s per token (all %d layers)%n",
                    Units.bytes(kv), Units.bytes(kv * m.nLayer()), m.nLayer());

            out.println();
            out.println("bytes per tensor class");
            for (Map.Entry<TensorClass, Long> e : m.bytesPerClass().entrySet()) {
                out.printf("  %-12s %12s  %5.1f%%%n", e.getKey().label(), Units.bytes(e.getValue()),
                        100.0 * e.getValue() / m.tensorBytes());
            }
            out.println();
            out.println("bytes per layer");
            for (Map.Entry<Integer, Long> e : m.bytesPerLayer().entrySet()) {
                out.printf("  %-12s %12s%n", e.getKey() < 0 ? "non-layer" : "blk." + e.getKey(), Units.bytes(e.getValue()));
            }
            if (!hideTensors) {
                out.println();
                out.printf("%-32s %-7s %-22s %12s %14s%n", "tensor", "type", "shape", "bytes", "offset");
                for (GgufTensorInfo t : m.tensors()) {
                    out.printf("%-32s %-7s %-22s %12d %14d%n", t.name(), t.type().ggmlName(),
                            Arrays.toString(t.dims()), t.byteSize(), f.dataOffset() + t.offset());
                }
            }
        }
    }

    @Command(name = "routing", mixinStandardHelpOptions = true,
            description = {"Record a mixture-of-experts model's routing into a routing trace.",
                "Runs the model over a text, one token per step, and writes each position's experts per block.",
                "A scenario's model.routing_trace replays it on a synthesized model of the same shape."})
    static final class Routing implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "GGUF mixture-of-experts model (real weights give real routing).")
        Path file;

        @Option(names = "--text", paramLabel = "FILE", description = "Text to route (default: greedy generation from BOS).")
        Path text;

        @Option(names = "--tokens", defaultValue = "512", paramLabel = "N",
                description = "Token positions to record; after the text, greedy generation continues (default: ${DEFAULT-VALUE}).")
        int tokens;

        @Option(names = {"-e", "--engine"}, defaultValue = "llama.cpp", paramLabel = "NAME", description = "llama.cpp or java (default: ${DEFAULT-VALUE}).")
        String engine;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "Routing trace (JSON) to write.")
        Path output;

        @Override
        public Integer call() throws IOException {
            if (tokens < 1 || tokens > 65_536) {
                throw new UserError("--tokens: %d is outside 1..65536".formatted(tokens));
            }
            if (!engine.equals("llama.cpp") && !engine.equals("java")) {
                throw new UserError("-e: '%s' does not report routing; use llama.cpp or java".formatted(engine));
            }
            Path parent = output.toAbsolutePath().getParent();
            if (java.nio.file.Files.isDirectory(output) || parent == null || !java.nio.file.Files.isDirectory(parent)) {
                throw new UserError("-o: %s %s; name a file in an existing directory".formatted(output,
                        java.nio.file.Files.isDirectory(output) ? "is a directory" : "is in a directory that does not exist"));
            }
            String prose = null;
            if (text != null) {
                if (!java.nio.file.Files.isRegularFile(text)) {
                    throw new UserError("--text: no such file " + text);
                }
                try {
                    prose = java.nio.file.Files.readString(text);
                } catch (IOException | java.io.UncheckedIOException e) {
                    throw new UserError("--text: cannot read %s as UTF-8 text: %s".formatted(text, e.getMessage()));
                }
            }
            ModelInfo info;
            try (GgufFile f = GgufFile.open(file)) {
                info = ModelInfo.of(f);
            }
            if (!info.isMoe()) {
                throw new UserError("%s: %s has no experts; record routing from a mixture-of-experts model".formatted(file, info.architecture()));
            }
            if (tokens > info.contextLength()) {
                throw new UserError("--tokens: %d is more than the model's context of %d".formatted(tokens, info.contextLength()));
            }
            dev.tierlab.inference.emulation.RoutingRecorder rec = new dev.tierlab.inference.emulation.RoutingRecorder(info.nLayer());
            int fromText;
            try (var model = Engines.byName(engine).load(file);
                    var ctx = model.newContext(dev.tierlab.inference.engine.ContextConfig.defaults(tokens, 1), rec)) {
                int[] ids = prose == null ? new int[] {ctx.bosToken()} : ctx.tokenize(prose, true);
                fromText = Math.min(ids.length, tokens);
                for (int i = 0; i < fromText; i++) {
                    ctx.decode(ids[i]);
                }
                while (ctx.position() < tokens) {
                    ctx.decode(ctx.greedyToken());
                }
            }
            String source = "%s %s (%s, %d layers) over %s, one token per step: %d from the text, %d generated greedily"
                    .formatted(engine, info.name(), info.architecture(), info.nLayer(), text == null ? "BOS" : text.getFileName(),
                            fromText, tokens - fromText);
            dev.tierlab.emulator.timeline.RoutingTrace trace;
            try {
                trace = rec.trace(source, info.nExpert());
            } catch (IllegalStateException e) {
                throw new UserError("%s: %s".formatted(file, e.getMessage()));
            }
            dev.tierlab.scenario.RoutingTraceFile.write(trace, output);
            spec.commandLine().getOut().printf("wrote %s: %d positions x %d blocks, %d of %d experts per token%n", output,
                    trace.positions(), trace.layers(), trace.k(), trace.nExpert());
            return TierlabCli.EXIT_OK;
        }
    }

    static final class PresetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Presets.names().iterator();
        }
    }
}
