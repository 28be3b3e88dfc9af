#ifndef KAFKALAB_CRDKAFKA_SHIM_H
#define KAFKALAB_CRDKAFKA_SHIM_H
#include <stdio.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
