#ifndef KAFKALAB_CEDITLINE_SHIM_H
#define KAFKALAB_CEDITLINE_SHIM_H
#include <stdio.h>
#include <histedit.h>
#endif
