package com.cloudblue.connect.boomi.runner;

/**
 * Receives each response call as the connector makes it, so a run of a million documents keeps
 * none of them (see {@link ConnectorRunner#run(OperationSettings, java.util.List, ResultSink)}).
 */
public interface ResultSink {
    /**
     * One record, in call order. Called while the response holds its lock: records of concurrent
     * connector threads never interleave, and a slow sink slows the connector as a slow Atom
     * document store would.
     */
    void accept(RecordedResult result);
}
