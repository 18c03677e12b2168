package com.cloudblue.connect.boomi.runner;

import com.boomi.connector.api.DeleteRequest;
import com.boomi.connector.api.FilterData;
import com.boomi.connector.api.GetRequest;
import com.boomi.connector.api.ObjectData;
import com.boomi.connector.api.ObjectIdData;
import com.boomi.connector.api.QueryFilter;
import com.boomi.connector.api.QueryRequest;
import com.boomi.connector.api.UpdateRequest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * One input document, in whichever shape the operation type asks for. It remembers whether every
 * stream it handed out was closed, because the SDK makes closing the consumer's job.
 */
final class RunnerTrackedData implements ObjectData, ObjectIdData, FilterData {
    private final int index;
    private final InputDocument document;
    private final Logger logger;
    /**
     * Streams handed out and not yet closed. A count, not a list of the streams: a run of 100,000
     * documents must not keep 100,000 stream objects alive.
     */
    private int openStreams;

    RunnerTrackedData(int index, InputDocument document, Logger logger) {
        this.index = index;
        this.document = document;
        this.logger = logger;
    }

    int index() {
        return index;
    }

    @Override
    public Object getUniqueId() {
        return index;
    }

    @Override
    public Object getTrackingId() {
        return "doc-" + index;
    }

    @Override
    public Map<String, String> getUserDefinedProperties() {
        return Collections.unmodifiableMap(document.userDefinedProperties);
    }

    @Override
    public Map<String, String> getDynamicProperties() {
        return Collections.unmodifiableMap(document.dynamicProperties);
    }

    @Override
    public Logger getLogger() {
        return logger;
    }

    /** A fresh stream per call: the Atom's streams can be re-read too. */
    @Override
    public synchronized InputStream getData() {
        openStreams++;
        return new TrackedStream(document.data == null ? new byte[0] : document.data);
    }

    @Override
    public long getDataSize() {
        return document.data == null ? 0 : document.data.length;
    }

    @Override
    public String getObjectId() {
        return document.objectId;
    }

    @Override
    public QueryFilter getFilter() {
        return document.filter;
    }

    synchronized boolean allStreamsClosed() {
        return openStreams == 0;
    }

    /** Counts itself closed once, however often {@code close} is called. */
    private final class TrackedStream extends ByteArrayInputStream {
        private boolean closed;

        TrackedStream(byte[] data) {
            super(data);
        }

        @Override
        public void close() {
            synchronized (RunnerTrackedData.this) {
                if (!closed) {
                    closed = true;
                    openStreams--;
                }
            }
        }
    }

    /** The request objects the Atom hands {@code Operation.execute}, one per operation kind. */
    static final class Query implements QueryRequest {
        private final RunnerTrackedData input;

        Query(RunnerTrackedData input) {
            this.input = input;
        }

        @Override
        public FilterData getFilter() {
            return input;
        }
    }

    static final class Get implements GetRequest {
        private final RunnerTrackedData input;

        Get(RunnerTrackedData input) {
            this.input = input;
        }

        @Override
        public ObjectIdData getObjectId() {
            return input;
        }
    }

    static final class Update implements UpdateRequest {
        private final List<RunnerTrackedData> inputs;

        Update(List<RunnerTrackedData> inputs) {
            this.inputs = inputs;
        }

        @Override
        public Iterator<ObjectData> iterator() {
            return Collections.<ObjectData>unmodifiableList(inputs).iterator();
        }
    }

    static final class Delete implements DeleteRequest {
        private final List<RunnerTrackedData> inputs;

        Delete(List<RunnerTrackedData> inputs) {
            this.inputs = inputs;
        }

        @Override
        public Iterator<ObjectIdData> iterator() {
            return Collections.<ObjectIdData>unmodifiableList(inputs).iterator();
        }
    }
}
