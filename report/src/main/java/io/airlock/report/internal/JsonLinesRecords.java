package io.airlock.report.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.report.RecordKind;
import io.airlock.report.ReportRecord;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON lines data files: one record per line,
 * {@code {"seq":1,"prev_hash":"…","hash":"…","record":{"@timestamp":"…","event.id":"…",…}}}, values as text.
 */
public final class JsonLinesRecords {

    private static final ObjectMapper PLAIN = new ObjectMapper();

    private JsonLinesRecords() {
    }

    public static RecordFileWriter writer(Path file) throws IOException {
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        return new RecordFileWriter() {
            @Override
            public void write(long seq, String prevHash, String hash, ReportRecord record) throws IOException {
                ObjectNode line = PLAIN.createObjectNode();
                line.put("seq", seq);
                line.put("prev_hash", prevHash);
                line.put("hash", hash);
                ObjectNode fields = line.putObject("record");
                record.fields().forEach(fields::put);
                out.write(PLAIN.writeValueAsString(line));
                out.write('\n');
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    public static RecordFileReader reader(Path file, RecordKind kind) throws IOException {
        BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        return new RecordFileReader() {
            private long lineNumber;

            @Override
            public ChainedRecord next() throws IOException {
                String text;
                try {
                    text = in.readLine();
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw new MalformedRecordFileException(lineNumber + 1, "not valid UTF-8");
                }
                if (text == null) {
                    return null;
                }
                lineNumber++;
                JsonNode line;
                try {
                    line = PLAIN.readTree(text);
                } catch (JsonProcessingException e) {
                    throw new MalformedRecordFileException(lineNumber, "not valid JSON");
                }
                if (line == null || !line.isObject() || !line.path("record").isObject() || !line.path("seq").isIntegralNumber()
                        || !line.path("prev_hash").isTextual() || !line.path("hash").isTextual()) {
                    throw new MalformedRecordFileException(lineNumber, "not a report record (seq, prev_hash, hash, record)");
                }
                Map<String, String> fields = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> f : line.get("record").properties()) {
                    if (!kind.columns().contains(f.getKey())) {
                        throw new MalformedRecordFileException(lineNumber, "unknown field '" + f.getKey() + "' in a record of " + kind.label());
                    }
                    // only the written form (non-empty text) maps back to the hashed value: 5 for "5", or an added "", must not verify
                    if (!f.getValue().isTextual() || f.getValue().asText().isEmpty()) {
                        throw new MalformedRecordFileException(lineNumber, "field '" + f.getKey() + "' is not non-empty text as written");
                    }
                    fields.put(f.getKey(), f.getValue().asText());
                }
                return new ChainedRecord(lineNumber, lineNumber, line.get("seq").asLong(), line.path("prev_hash").asText(),
                        line.path("hash").asText(), new ReportRecord(kind, fields));
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }
}
