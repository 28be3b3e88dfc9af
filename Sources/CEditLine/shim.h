#ifndef KAFKALAB_CEDITLINE_SHIM_H
#define KAFKALAB_CEDITLINE_SHIM_H
#include <stdio.h>
#include <histedit.h>

// Swift cannot call C variadic functions, and el_set/el_get/history are all
// variadic, so each operation LineEditor needs gets a fixed-argument wrapper.
// Non-variadic libedit calls (el_gets, el_line, el_insertstr, history_init, ...)
// are used from Swift directly and need no wrapper.

// Swift 6 rejects reads of the mutable globals stdin/stdout/stderr, so the
// editor is bound to the process's stdio here in C.
static inline EditLine *cel_init_stdio(const char *prog) {
    return el_init(prog, stdin, stdout, stderr);
}

// EL_PROMPT_ESC so that a prompt may wrap non-printing sequences (colours) in
// `literal` characters and still be measured correctly.
static inline int cel_set_prompt(EditLine *el, char *(*fn)(EditLine *), char literal) {
    return el_set(el, EL_PROMPT_ESC, fn, literal);
}

// EL_EDITOR takes "emacs" or "vi".
static inline int cel_set_editor(EditLine *el, const char *mode) {
    return el_set(el, EL_EDITOR, mode);
}

// EL_SIGNAL decides whether libedit installs its own handlers while reading.
static inline int cel_set_signal(EditLine *el, int on) {
    return el_set(el, EL_SIGNAL, on);
}

// EL_HIST passes the variadic `history` function itself, which Swift cannot name.
static inline int cel_set_hist(EditLine *el, History *h) {
    return el_set(el, EL_HIST, history, h);
}

// EL_ADDFN registers a named editor command that keys can be bound to.
static inline int cel_set_addfn(EditLine *el, const char *name, const char *help,
                                unsigned char (*fn)(EditLine *, int)) {
    return el_set(el, EL_ADDFN, name, help, fn);
}

// EL_BIND takes a NULL-terminated argument list; one key to one command is all we need.
static inline int cel_bind(EditLine *el, const char *key, const char *command) {
    return el_set(el, EL_BIND, key, command, (const char *)NULL);
}

// EL_CLIENTDATA is the only way a capture-free callback can find its owner.
static inline int cel_set_clientdata(EditLine *el, void *data) {
    return el_set(el, EL_CLIENTDATA, data);
}

// Reads back EL_CLIENTDATA through el_get's out-parameter form.
static inline void *cel_get_clientdata(EditLine *el) {
    void *data = NULL;
    if (el_get(el, EL_CLIENTDATA, &data) != 0) {
        return NULL;
    }
    return data;
}

// Terminal width as libedit knows it (termcap "co"), for laying out completions.
static inline int cel_get_columns(EditLine *el) {
    int columns = 0;
    if (el_get(el, EL_GETTC, "co", &columns, (void *)NULL) != 0) {
        return 0;
    }
    return columns;
}

// EL_REFRESH redraws prompt and line from the cursor's current row, forgetting
// what libedit believes is on screen (needed after printing below the line).
static inline int cel_refresh(EditLine *el) {
    return el_set(el, EL_REFRESH);
}

// history(H_SETSIZE) with the HistEvent out-parameter kept on the C side.
static inline int cel_history_setsize(History *h, int size) {
    HistEvent ev;
    return history(h, &ev, H_SETSIZE, size);
}

// history(H_SETUNIQUE): libedit then drops an entry equal to the previous one.
static inline int cel_history_setunique(History *h, int unique) {
    HistEvent ev;
    return history(h, &ev, H_SETUNIQUE, unique);
}

// history(H_ENTER) appends a line to the in-memory history.
static inline int cel_history_enter(History *h, const char *line) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, line);
}

#endif
