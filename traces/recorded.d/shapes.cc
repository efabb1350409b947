// Input of rec-cc1plus-shapes (traces/recorded.mk): a small C++ program using the standard
// library's containers, strings, streams and algorithms, compiled (not run) by cc1plus.
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

struct Shape {
    virtual ~Shape() = default;
    virtual double area() const = 0;
    virtual std::string name() const = 0;
};

struct Rect : Shape {
    double w, h;
    Rect(double w_, double h_) : w(w_), h(h_) {}
    double area() const override { return w * h; }
    std::string name() const override { return "rect"; }
};

struct Circle : Shape {
    double r;
    explicit Circle(double r_) : r(r_) {}
    double area() const override { return 3.14159265358979 * r * r; }
    std::string name() const override { return "circle"; }
};

int main()
{
    std::vector<std::unique_ptr<Shape>> shapes;
    for (int i = 0; i < 1000; i++) {
        if (i % 3)
            shapes.push_back(std::make_unique<Rect>(i % 7 + 1, i % 5 + 1));
        else
            shapes.push_back(std::make_unique<Circle>(i % 11 + 1));
    }
    std::map<std::string, double> total;
    std::unordered_map<int, std::vector<std::string>> buckets;
    for (const auto &s : shapes) {
        total[s->name()] += s->area();
        buckets[static_cast<int>(s->area()) % 17].push_back(s->name());
    }
    std::sort(shapes.begin(), shapes.end(),
              [](const auto &a, const auto &b) { return a->area() < b->area(); });
    std::ostringstream out;
    for (const auto &[k, v] : total)
        out << k << ' ' << v << '\n';
    std::cout << out.str() << buckets.size() << '\n';
}
